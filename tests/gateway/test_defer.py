"""`@defer` and `@stream` on the real gateway, over real HTTP and WebSocket.

A slow provider does not hold the page: what it alone serves is deferred, the rest
arrives at once (multipart/mixed, Server-Sent Events, graphql-transport-ws), and what a
client merges is the answer the document gets without the directives. Deferred parts
still batch, and the limits and the deadline hold for them too.
"""

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.gateway.conftest import RunningGateway, start_gateway
from tests.gateway.incremental import (
    AUTH,
    event_stream,
    multipart,
    transport_ws,
)
from tests.schema.incremental_client import merged
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

SLOW_ZEROHASH_MS = 2000
PAGE = """query Page {
  stakingProducts(provider: CROCANTE) { id apy }
  stakes(first: 5, filter: {provider: [DFNS, CROCANTE]}) { edges { node { id status } } }
  ... @defer(label: "zerohash") {
    rewards(first: 20, filter: {provider: [ZEROHASH]}) { edges { node { amount } } }
  }
}"""
NESTED = """{ stakes(first: 20) { edges { node { id provider
  ... @defer(label: "rewards") { rewards(first: 5) { edges { node { amount } } } }
} } } }"""


def without_directives(query: str) -> str:
    return re.sub(r"@(defer|stream)(\([^)]*\))?", "", query)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(tmp_path_factory) -> AsyncIterator[RunningGateway]:
    async for running in start_gateway(
        tmp_path_factory.mktemp("defer"),
        SANDBOX_TIME_SCALE=0,
        WATCHER_ENABLED=False,
        # Every read reaches the provider: calls are compared with and without @defer.
        DFNS_REWARDS_CACHE_SECONDS=0,
        GATEWAY_RATE_LIMIT_PER_SECOND=0,
    ):
        yield running


async def slow_zerohash(gateway: RunningGateway, latency_ms: int) -> None:
    response = await gateway.http.post(
        "/sandbox/zerohash/_sandbox/faults", json={"latency_ms": latency_ms}
    )
    assert response.status_code == 200, response.text


async def loader_batches(gateway: RunningGateway, loader: str) -> float:
    metrics = (await gateway.http.get("/metrics")).text
    line = f'gateway_loader_batches_total{{loader="{loader}"}} '
    found = next(x for x in metrics.splitlines() if x.startswith(line))
    return float(found.removeprefix(line))


async def plain_answer(gateway: RunningGateway, query: str) -> dict[str, Any]:
    response = await gateway.http.post(
        "/graphql", json={"query": without_directives(query)}, headers=AUTH
    )
    body = response.json()
    return {"data": body["data"], "errors": body.get("errors", [])}


async def test_a_deferred_part_comes_after_the_rest_as_multipart_parts(gateway) -> None:
    received = await multipart(gateway.http, NESTED)
    assert received.status == 200
    assert received.content_type == 'multipart/mixed; boundary="-"; deferSpec=20220824'
    first, *rest = received.payloads
    assert first["hasNext"] is True and rest
    edges = first["data"]["stakes"]["edges"]
    assert edges and all(set(e["node"]) == {"id", "provider"} for e in edges)
    entries = [e for p in rest for e in p.get("incremental", [])]
    assert sorted(e["path"][2] for e in entries) == list(range(len(edges)))
    assert {e["label"] for e in entries} == {"rewards"}
    assert merged(received.payloads) == await plain_answer(gateway, NESTED)


async def test_the_page_arrives_before_the_slow_provider_answers(gateway) -> None:
    await slow_zerohash(gateway, SLOW_ZEROHASH_MS)
    try:
        received = await multipart(gateway.http, PAGE)
        waited = await multipart(gateway.http, without_directives(PAGE))
    finally:
        await slow_zerohash(gateway, 0)
    slow = SLOW_ZEROHASH_MS / 1000
    initial, *_ = received.payloads
    assert initial["data"]["stakingProducts"] and initial["data"]["stakes"]["edges"]
    assert "rewards" not in initial["data"]
    # The page came before Zerohash answered; its rewards came once it had.
    assert received.arrived[0] < slow <= received.arrived[-1]
    assert merged(received.payloads)["data"]["rewards"]["edges"]
    # Without @defer the whole page waits for Zerohash.
    assert waited.content_type.startswith("application/json")
    assert waited.arrived[0] >= slow


async def test_a_deferred_part_still_batches_one_read_per_provider(gateway) -> None:
    upstream = gateway.app.state.upstream
    counts = {}
    for name, query in [
        ("plain", without_directives(NESTED)),
        ("deferred", NESTED),
    ]:
        calls_before = Counter(upstream.calls)
        batches_before = await loader_batches(gateway, "stake_rewards")
        received = await multipart(gateway.http, query)
        assert received.status == 200
        calls = Counter(upstream.calls)
        calls.subtract(calls_before)
        counts[name] = +calls
        # Every stake's deferred rewards, in one batch.
        assert await loader_batches(gateway, "stake_rewards") - batches_before == 1
    assert counts["deferred"] == counts["plain"]
    reward_lists = {k: n for k, n in counts["deferred"].items() if "rewards" in k[2]}
    zerohash = [n for (p, _, _), n in reward_lists.items() if p.value == "ZEROHASH"]
    assert zerohash == [1], reward_lists


async def test_over_server_sent_events_each_payload_is_a_next_event(gateway) -> None:
    received = await event_stream(gateway.http, NESTED)
    assert received.status == 200 and received.content_type == "text/event-stream"
    assert len(received.payloads) > 1
    assert merged(received.payloads) == await plain_answer(gateway, NESTED)


async def test_over_graphql_transport_ws_each_payload_is_a_next_message(
    gateway,
) -> None:
    messages = await transport_ws(gateway.url, NESTED)
    assert messages[-1] == {"id": "1", "type": "complete"}
    nexts = [m["payload"] for m in messages[:-1]]
    assert all(m["type"] == "next" for m in messages[:-1]) and len(nexts) > 1
    assert merged(nexts) == await plain_answer(gateway, NESTED)


async def test_streamed_edges_arrive_after_the_first_ones(gateway) -> None:
    query = """{ stakes(first: 6) {
      edges @stream(initialCount: 2) { node { id provider } } } }"""
    received = await multipart(gateway.http, query)
    assert len(received.payloads[0]["data"]["stakes"]["edges"]) == 2
    items = [e for p in received.payloads[1:] for e in p.get("incremental", [])]
    assert items[0]["path"] == ["stakes", "edges", 2]
    assert merged(received.payloads) == await plain_answer(gateway, query)


async def test_a_client_that_takes_no_parts_gets_the_whole_answer_at_once(
    gateway,
) -> None:
    received = await multipart(gateway.http, NESTED, accept="application/json")
    assert received.status == 200
    assert received.content_type.startswith("application/json")
    (answer,) = received.payloads
    assert answer["data"] == (await plain_answer(gateway, NESTED))["data"]


@pytest.mark.parametrize(
    "accept",
    [
        "multipart/mixed",
        "multipart/mixed;deferSpec=20220824",
        "*/*",
        "application/json, multipart/*;q=0.5",
        "application/graphql-response+json, multipart/mixed",
    ],
)
async def test_any_accept_that_takes_multipart_mixed_gets_parts(
    gateway, accept: str
) -> None:
    received = await multipart(gateway.http, NESTED, accept=accept)
    assert received.status == 200 and len(received.payloads) > 1


async def test_a_document_that_defers_nothing_gets_one_ordinary_answer(
    gateway,
) -> None:
    query = NESTED.replace('@defer(label: "rewards")', "@defer(if: false)")
    received = await multipart(gateway.http, query)
    assert received.content_type.startswith("application/json")
    assert received.payloads[0]["data"]["stakes"]["edges"][0]["node"]["rewards"]


async def test_a_deferred_part_over_the_cost_limit_is_refused_before_it_runs(
    gateway,
) -> None:
    costly = """{ stakes(first: 1) { edges { node { id } } }
      ... @defer { many: stakes(first: 100) { edges { node {
        rewards(first: 100) { edges { node { stake { id } } } } } } } } }"""
    received = await multipart(gateway.http, costly)
    answer = received.payloads[0]
    assert received.content_type.startswith("application/json")
    assert answer.get("data") is None
    codes = {e["extensions"]["code"] for e in answer["errors"]}
    assert codes == {"QUERY_TOO_COSTLY"}
    inline = await plain_answer(gateway, costly)
    assert (
        inline["errors"][0]["extensions"]["cost"]
        == (answer["errors"][0]["extensions"]["cost"])
    )


async def test_a_deferred_part_over_the_depth_limit_is_refused(gateway) -> None:
    # Two rounds of stake -> rewards -> edges -> node: depth 14, over the 12 allowed.
    deep = "stake { rewards(first: 1) { edges { node { " * 2 + "amount" + " } } } }" * 2
    query = f"""{{ stakes(first: 1) {{ edges {{ node {{ id
      ... @defer {{ rewards(first: 1) {{ edges {{ node {{ {deep} }} }} }} }}
    }} }} }} }}"""
    received = await multipart(gateway.http, query)
    answer = received.payloads[0]
    assert received.content_type.startswith("application/json")
    assert answer.get("data") is None
    assert "exceeds maximum operation depth" in answer["errors"][0]["message"]


async def test_a_deferred_query_can_be_sent_with_get(gateway) -> None:
    async with gateway.http.stream(
        "GET",
        "/graphql",
        params={"query": NESTED},
        headers={**AUTH, "Accept": "multipart/mixed"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("multipart/mixed")
        body = (await response.aread()).decode()
    assert body.count('"hasNext":') > 1 and body.endswith("-----\r\n")


def operations_running() -> list[asyncio.Task[Any]]:
    # Each multipart answer runs its operation in a task of its own (incremental_http).
    return [
        task
        for task in asyncio.all_tasks()
        if "_relayed.<locals>.produce" in repr(task.get_coro())
    ]


async def test_a_client_that_leaves_mid_answer_leaves_no_work_behind(gateway) -> None:
    await slow_zerohash(gateway, SLOW_ZEROHASH_MS)
    try:
        headers = {**AUTH, "Accept": "multipart/mixed"}
        body = {"query": PAGE}
        async with gateway.http.stream(
            "POST", "/graphql", json=body, headers=headers
        ) as response:
            async for _ in response.aiter_text():
                assert operations_running()  # the deferred part is still to come
                break
        await eventually(lambda: not operations_running())
    finally:
        await slow_zerohash(gateway, 0)


async def test_what_misses_the_deadline_is_closed_with_a_timeout(tmp_path) -> None:
    async for gateway in start_gateway(
        tmp_path,
        SANDBOX_TIME_SCALE=0,
        WATCHER_ENABLED=False,
        GATEWAY_OPERATION_TIMEOUT_SECONDS=1.5,
        PROVIDER_TIMEOUT_SECONDS=20,
    ):
        await slow_zerohash(gateway, 6000)
        received = await multipart(gateway.http, PAGE)
        assert received.payloads[0]["hasNext"] is True
        assert received.payloads[-1] == {
            "incremental": [
                {
                    "data": None,
                    "path": [],
                    "label": "zerohash",
                    "errors": [
                        {
                            "message": (
                                "The operation took longer than 1.5 s and was stopped."
                            ),
                            "path": [],
                            "extensions": {"code": "TIMEOUT"},
                        }
                    ],
                }
            ],
            "hasNext": False,
        }
        # Stopped at the deadline, not when Zerohash finally answered.
        assert 1.5 <= received.arrived[-1] < 6
