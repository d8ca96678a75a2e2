"""@defer (experimental, GATEWAY_INCREMENTAL_DELIVERY) over real HTTP: a slow
provider's part arrives after the rest, as multipart/mixed parts or server-sent events;
a client that reads neither gets the whole answer in one; deferred parts are costed,
batched, masked and held to the operation's deadline like the rest."""

import json
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import websockets
from graphql import GraphQLError
from graphql.execution import (
    CompletedResult,
    IncrementalDeferResult,
    SubsequentIncrementalExecutionResult,
)

from gateway.schema.incremental import IncrementalGuard
from gateway.schema.schema import should_mask
from tests.gateway.conftest import DEMO_KEY, RunningGateway, start_gateway

pytestmark = pytest.mark.asyncio(loop_scope="module")

AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}
MULTIPART = "multipart/mixed;deferSpec=20220824, application/json"
STAKES = "stakes(first: 5) { edges { node { id provider product { id } } } }"
DEFERRED = f'query Page {{ stakingProducts {{ id }} ... @defer(label: "stakes") {{ {STAKES} }} }}'
PLAIN = f"query Page {{ stakingProducts {{ id }} {STAKES} }}"
LATENCY = 1.0
FAULTS = "/sandbox/crocante/_sandbox/faults"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(tmp_path_factory) -> AsyncIterator[RunningGateway]:
    async for running in start_gateway(
        tmp_path_factory.mktemp("defer"),
        WATCHER_ENABLED=False,
        GATEWAY_INCREMENTAL_DELIVERY=True,
        GATEWAY_OPERATION_TIMEOUT_SECONDS=3,
    ):
        # Products cached and Crocante logged in: what is slow below is the stake list.
        warm = await running.http.post("/graphql", json={"query": PLAIN}, headers=AUTH)
        assert warm.status_code == 200
        yield running


async def slow_crocante(gateway, seconds: float) -> None:
    await gateway.http.post(FAULTS, json={"latency_ms": int(seconds * 1000)})


async def timed_parts(gateway, accept: str, query: str = DEFERRED):
    """(seconds since sent, payload) for each multipart part or SSE `next` event."""
    parts: list[tuple[float, dict]] = []
    started = time.perf_counter()
    buffer = ""
    async with gateway.http.stream(
        "POST", "/graphql", json={"query": query}, headers={**AUTH, "Accept": accept}
    ) as response:
        assert response.status_code == 200
        kind = response.headers["content-type"]
        async for chunk in response.aiter_text():
            buffer += chunk
            if kind.startswith("text/event-stream"):
                *events, buffer = buffer.split("\r\n\r\n")
                for event in events:
                    if event.startswith("event: next"):
                        body = event.split("data: ", 1)[1]
                        parts.append((time.perf_counter() - started, json.loads(body)))
                continue
            *segments, buffer = buffer.split("\r\n---")
            for segment in segments:
                if "\r\n\r\n" in segment:
                    body = segment.split("\r\n\r\n", 1)[1]
                    parts.append((time.perf_counter() - started, json.loads(body)))
    return kind, parts


@pytest.mark.parametrize("accept", [MULTIPART, "text/event-stream"])
async def test_the_initial_payload_arrives_before_the_slowest_provider_answers(
    gateway, accept
):
    await slow_crocante(gateway, LATENCY)
    try:
        _, parts = await timed_parts(gateway, accept)
    finally:
        await slow_crocante(gateway, 0)
    (first_at, first), (last_at, last) = parts[0], parts[-1]
    assert first["data"]["stakingProducts"] and "stakes" not in first["data"]
    assert first["hasNext"] is True
    assert first_at < LATENCY / 2 <= LATENCY <= last_at
    (deferred,) = last["incremental"]
    assert deferred["label"] == "stakes" and deferred["data"]["stakes"]["edges"]
    assert last["hasNext"] is False


async def test_over_graphql_transport_ws_each_payload_is_a_next_message(gateway):
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    await slow_crocante(gateway, LATENCY)
    try:
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init", "payload": AUTH}
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            started = time.perf_counter()
            subscribe = {"id": "1", "type": "subscribe", "payload": {"query": DEFERRED}}
            await ws.send(json.dumps(subscribe))
            messages = []
            while not messages or messages[-1][1]["type"] != "complete":
                message = json.loads(await ws.recv())
                if message["type"] != "ping":
                    messages.append((time.perf_counter() - started, message))
    finally:
        await slow_crocante(gateway, 0)
    (first_at, first), (last_at, last), (_, done) = messages
    assert first["type"] == last["type"] == "next" and done["type"] == "complete"
    assert first["payload"]["data"]["stakingProducts"] and first_at < LATENCY / 2
    (deferred,) = last["payload"]["incremental"]
    assert deferred["label"] == "stakes" and deferred["path"] == []
    assert deferred["data"]["stakes"]["edges"] and last_at >= LATENCY


async def test_a_client_reading_no_parts_gets_the_whole_answer_at_once(gateway):
    plain = await gateway.http.post(
        "/graphql",
        json={"query": PLAIN},
        headers={**AUTH, "Accept": "application/graphql-response+json"},
    )
    deferred = await gateway.http.post(
        "/graphql",
        json={"query": DEFERRED},
        headers={**AUTH, "Accept": "application/graphql-response+json"},
    )
    assert deferred.status_code == 200
    assert deferred.headers["content-type"].startswith("application/graphql-response")
    assert deferred.json()["data"] == plain.json()["data"]


async def test_a_deferred_part_still_batches_its_provider_calls(gateway):
    """One list call per provider, and the products of all stakes in one batch, as
    when nothing is deferred."""

    def calls() -> dict:
        return dict(gateway.app.state.upstream.snapshot())

    before = calls()
    await gateway.http.post("/graphql", json={"query": PLAIN}, headers=AUTH)
    middle = calls()
    await timed_parts(gateway, MULTIPART)
    after = calls()

    def spent(start, end):
        return {k: end[k] - start.get(k, 0) for k in end if end[k] - start.get(k, 0)}

    assert spent(middle, after) == spent(before, middle)


async def test_deferred_parts_are_costed_before_anything_runs(gateway):
    query = "{ stakingProducts { id } ... @defer { stakes(first: 1000) { edges { cursor } } } }"
    response = await gateway.http.post(
        "/graphql",
        json={"query": query},
        headers={**AUTH, "Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PAGE_TOO_LARGE"


async def test_a_deferred_part_past_the_deadline_completes_with_a_timeout(gateway):
    await slow_crocante(gateway, 5)
    try:
        _, parts = await timed_parts(gateway, MULTIPART)
    finally:
        await slow_crocante(gateway, 0)
    first, (last_at, last) = parts[0][1], parts[-1]
    assert first["data"]["stakingProducts"]
    (timed_out,) = last["incremental"]
    assert timed_out["data"] is None and timed_out["label"] == "stakes"
    assert timed_out["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert last["hasNext"] is False and last_at < 4.5


async def test_an_unexpected_error_in_a_later_payload_is_masked():
    failure = GraphQLError(
        "connection string postgres://secret",
        path=["stakes"],
        original_error=KeyError(),
    )
    expected = GraphQLError("No such stake.", path=["stake"])

    async def payloads():
        yield SubsequentIncrementalExecutionResult(
            incremental=[
                IncrementalDeferResult({"stakes": None}, "0", errors=[failure])
            ],
            completed=[CompletedResult("0"), CompletedResult("1", [expected])],
            has_next=False,
        )

    guard = IncrementalGuard(timeout_seconds=5, should_mask=should_mask)
    (payload,) = [p async for p in guard._guarded(payloads(), {"0", "1"})]
    (masked,) = payload.incremental[0].errors
    assert masked.message == "Internal error." and masked.path == ["stakes"]
    assert payload.completed[1].errors == [expected]


async def test_a_streamed_list_sends_its_first_items_then_the_rest(gateway):
    streamed = "query S { stakingProducts @stream(initialCount: 1) { id } }"
    plain = await gateway.http.post(
        "/graphql", json={"query": "query S { stakingProducts { id } }"}, headers=AUTH
    )
    everything = plain.json()["data"]["stakingProducts"]
    _, parts = await timed_parts(gateway, MULTIPART, streamed)
    first, later = parts[0][1], [payload for _, payload in parts[1:]]
    assert first["data"]["stakingProducts"] == everything[:1]
    items = [
        i for p in later for part in p.get("incremental", []) for i in part["items"]
    ]
    assert items == everything[1:]
    merged = await gateway.http.post(
        "/graphql",
        json={"query": streamed},
        headers={**AUTH, "Accept": "application/json"},
    )
    assert merged.json()["data"]["stakingProducts"] == everything
