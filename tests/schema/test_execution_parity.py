"""The fast path answers as graphql-core does, on the real schema and data.

Every document in examples/operations/ and every bench query runs on a real gateway over
its embedded sandboxes' seeded data, through the fast path and through Strawberry's own
executor, and the two answers (data, errors, key order, list order) must be the same;
so must a deferred document's payloads (`@defer`, `@stream`).

An operation runs once first; after that, the state it reads stays put: the sandbox
clocks stand still, no watcher polls, and a mutation repeated with its `externalId` is a
retry that changes nothing. A subscription replays from the start up to an event made
for it just before. CI also runs this module on the newest Strawberry and graphql-core
the version bounds allow (`.ci/run`).
"""

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import strawberry
from starlette.routing import Route

from bench import queries as bench
from gateway.schema.execution import PlainFieldExecutionContext
from gateway.schema.fast_execution import STOCK
from tests.gateway.clients import new_client
from tests.gateway.conftest import DEMO_KEY, RunningGateway, start_gateway
from tests.gateway.incremental import multipart
from tests.gateway.test_webhooks import deliver
from tests.gateway.ws import subscriber
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

OPERATIONS = Path(__file__).resolve().parents[2] / "examples" / "operations"
# Read off the clock at each request, so compared by type only: `providers` probes each
# provider (latency, when), a call's latency is in `extensions`, and a preview adds the
# activation delay to now.
VOLATILE = {"latencyMs", "checkedAt", "estimatedActivationAt"}

PRODUCTS = """{ stakingProducts { id provider providerProductId asset { symbol } } }"""
STAKES = (
    """{ stakes(first: 100) { edges { node { id provider availableActions } } } }"""
)
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id providerStakeId } action { id } userErrors { code } } }"""


def example(name: str) -> str:
    return (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")


def graphql_schema(gateway: RunningGateway) -> strawberry.Schema:
    for route in gateway.app.routes:
        if isinstance(route, Route) and route.path == "/graphql":
            schema: strawberry.Schema = route.endpoint.schema
            return schema
    raise AssertionError("no /graphql route")


@contextmanager
def executing_on(gateway: RunningGateway, executor: type) -> Iterator[None]:
    schema = graphql_schema(gateway)
    configured = schema.execution_context_class
    schema.execution_context_class = executor
    try:
        yield
    finally:
        schema.execution_context_class = configured


class Parity:
    """The gateway, its two executors and the ids the operations need."""

    def __init__(self, gateway: RunningGateway) -> None:
        self.gateway = gateway
        self.fast = graphql_schema(gateway).execution_context_class
        self.ids: dict[str, str] = {}

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict:
        return await self.gateway.graphql(query, variables)

    async def answer(self, query: str, variables: dict[str, Any]) -> Any:
        response = await self.gateway.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {DEMO_KEY}"},
        )
        return response.status_code, ordered(response.json())

    async def both(self, query: str, variables: dict[str, Any]) -> tuple[Any, Any]:
        await self.answer(query, variables)
        with executing_on(self.gateway, self.fast):
            fast = await self.answer(query, variables)
        with executing_on(self.gateway, STOCK):
            stock = await self.answer(query, variables)
        return fast, stock

    async def incremental(self, query: str) -> Any:
        """The initial payload, and every deferred entry in path order (which part
        brings one depends on which provider answers first)."""
        received = await multipart(self.gateway.http, query)
        first, *rest = received.payloads
        entries = sorted(
            (e for p in rest for e in p.get("incremental", [])),
            key=lambda e: json.dumps(e["path"]),
        )
        return ordered(first), [ordered(e) for e in entries]

    async def both_incremental(self, query: str) -> tuple[Any, Any]:
        await self.incremental(query)
        with executing_on(self.gateway, self.fast):
            fast = await self.incremental(query)
        with executing_on(self.gateway, STOCK):
            stock = await self.incremental(query)
        return fast, stock

    async def events(
        self, executor: type, query: str, variables: dict, last: Callable[[dict], bool]
    ) -> list[Any]:
        received = []
        with executing_on(self.gateway, executor):
            async with subscriber(self.gateway.url, DEMO_KEY) as client:
                await client.subscribe(query, variables)
                while True:
                    message = await client.next_message(within=20)
                    received.append(ordered(message))
                    if message["type"] != "next" or last(message["payload"]["data"]):
                        break
                await client.socket.send(json.dumps({"id": "1", "type": "complete"}))
        assert await arrived(self._no_stream_left)
        return received

    async def _no_stream_left(self) -> bool:
        return await self.gauge_is("gateway_shared_streams", 0)

    async def gauge_is(self, name: str, value: float) -> bool:
        metrics = (await self.gateway.http.get("/metrics")).text
        found = re.search(rf"^{name} (\S+)$", metrics, re.MULTILINE)
        assert found is not None, name
        return float(found.group(1)) == value

    async def both_events(
        self, query: str, variables: dict, last: Callable[[dict], bool]
    ) -> tuple[list[Any], list[Any]]:
        fast = await self.events(self.fast, query, variables, last)
        stock = await self.events(STOCK, query, variables, last)
        return fast, stock


def ordered(value: Any, key: str | None = None) -> Any:
    """JSON as nested pairs, so that comparing compares key order too."""
    if key in VOLATILE:
        return type(value).__name__
    if isinstance(value, dict):
        return [(k, ordered(v, k)) for k, v in value.items()]
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def parity(tmp_path_factory) -> AsyncIterator[Parity]:
    async for gateway in start_gateway(
        tmp_path_factory.mktemp("parity"),
        SANDBOX_TIME_SCALE=0,
        WATCHER_ENABLED=False,
        # A Dfns total keeps the time it was read; read once, it stays.
        DFNS_REWARDS_CACHE_SECONDS=3600,
        GATEWAY_RATE_LIMIT_PER_SECOND=0,
    ):
        parity = Parity(gateway)
        await _seed_ids(parity)
        yield parity


async def _seed_ids(parity: Parity) -> None:
    products = (await parity.data(PRODUCTS))["stakingProducts"]
    by_id = {p["providerProductId"]: p["id"] for p in products}
    parity.ids["crocante"] = by_id["stake_eth_variable"]
    parity.ids["zerohash"] = next(
        p["id"]
        for p in products
        if p["provider"] == "ZEROHASH" and p["asset"]["symbol"] == "ETH"
    )
    await parity.data(example("accept_staking_terms"), {"provider": "ZEROHASH"})
    target = await parity.data(
        CREATE,
        {"input": {"productId": parity.ids["crocante"], "amount": "2"}},
    )
    parity.ids["unstake"] = target["createStake"]["stake"]["id"]
    stakes = [e["node"] for e in (await parity.data(STAKES))["stakes"]["edges"]]
    parity.ids["stake"] = next(s["id"] for s in stakes if s["provider"] == "DFNS")
    parity.ids["withdraw"] = next(
        (s["id"] for s in stakes if "WITHDRAW" in s["availableActions"]),
        stakes[0]["id"],
    )


async def test_the_gateway_runs_the_fast_path(parity: Parity) -> None:
    # Were it to stand down (say, a new graphql-core), both runs would be the same code.
    assert issubclass(parity.fast, PlainFieldExecutionContext)


def _variables(name: str, ids: dict[str, str]) -> dict[str, Any]:
    return {
        "accept_staking_terms": {"provider": "ZEROHASH"},
        "allocations": {"first": 20},
        "create_stake": {
            "input": {
                "productId": ids["zerohash"],
                "amount": "1.5",
                "externalId": "order-42",
            }
        },
        "create_stake_action": {
            "input": {"stakeId": ids["withdraw"], "kind": "WITHDRAW"}
        },
        # Refused (a private address): both runs answer alike, and register nothing.
        "create_webhook_endpoint": {
            "input": {"url": "http://10.0.0.1/", "eventTypes": ["STAKE_STATUS_CHANGED"]}
        },
        "replay_webhooks": {"after": "0"},
        "rewards_summary": {"groupBy": "MONTH", "from": "2025-01-01T00:00:00Z"},
        "test_webhook": {"endpointId": "we_unknown"},
        "webhook_deliveries": {},
        "overview": {},
        "preview_stake": {"input": {"productId": ids["zerohash"], "amount": "1.5"}},
        "providers": {},
        "rewards": {
            "filter": {"provider": ["DFNS"], "from": "2025-01-01T00:00:00Z"},
            "first": 50,
        },
        "stake": {"id": ids["stake"]},
        "stakes": {"filter": {"provider": ["ZEROHASH"], "status": ["ACTIVE"]}},
        "staking_products": {"provider": "CROCANTE"},
        "unstake": {"input": {"stakeId": ids["unstake"], "externalId": "unstake-42"}},
    }[name]


REQUESTS = sorted(
    path.stem
    for path in OPERATIONS.glob("*.graphql")
    if not path.stem.startswith("watch_")
)


@pytest.mark.parametrize("name", REQUESTS)
async def test_an_example_operation_answers_alike_on_both_paths(
    parity: Parity, name: str
) -> None:
    fast, stock = await parity.both(example(name), _variables(name, parity.ids))
    assert fast == stock


async def test_every_stake_and_reward_answers_alike_unfiltered(parity: Parity) -> None:
    for name, variables in [("stakes", {"first": 100}), ("rewards", {"first": 100})]:
        fast, stock = await parity.both(example(name), variables)
        assert fast == stock


async def test_refusals_and_errors_answer_alike_on_both_paths(parity: Parity) -> None:
    nobody = "WyJTdGFrZSIsIkRGTlMiLCJub2JvZHkiLCJub25lIl0"
    cases = [
        ("stake", {"id": "not-an-id"}),
        ("stake", {"id": nobody}),
        ("preview_stake", {"input": {"productId": "not-an-id", "amount": "1"}}),
        (
            "create_stake",
            {"input": {"productId": parity.ids["zerohash"], "amount": "0"}},
        ),
        ("unstake", {"input": {"stakeId": "not-an-id"}}),
        ("stakes", {"first": -1}),
    ]
    for name, variables in cases:
        fast, stock = await parity.both(example(name), variables)
        assert fast == stock


DEFERRED = {
    "rewards_and_products_per_stake": """{ stakes(first: 50) { edges { node {
      id provider status amount asset { symbol }
      ... @defer { product { id apy } rewards(first: 3) { edges { node {
        amount creditedAt } } } } } } } }""",
    "products_after_the_portfolio": """{ portfolio { stakeCount totals { provider
      staked } } ... @defer(label: "products") { stakingProducts { id provider mode
      apy minAmount } } }""",
    "streamed_edges": """{ stakes(first: 50) { edges @stream(initialCount: 5) {
      node { id provider status asset { symbol } } } } }""",
}


@pytest.mark.parametrize("name", sorted(DEFERRED))
async def test_a_deferred_document_answers_alike_on_both_paths(
    parity: Parity, name: str
) -> None:
    fast, stock = await parity.both_incremental(DEFERRED[name])
    assert fast == stock
    assert fast[1], "nothing was deferred"


BENCH = {
    "TRIVIAL": {},
    "FANOUT": {},
    "NESTED": {"first": 20},
    "SIX_FIELDS": {"first": 50},
    "PRODUCTS": {},
    "ACCEPT_TERMS": {"p": "ZEROHASH"},
}


@pytest.mark.parametrize("name", sorted(BENCH))
async def test_a_bench_query_answers_alike_on_both_paths(
    parity: Parity, name: str
) -> None:
    fast, stock = await parity.both(getattr(bench, name), BENCH[name])
    assert fast == stock


async def test_the_bench_stake_creation_answers_alike_on_both_paths(
    parity: Parity,
) -> None:
    variables = {
        "input": {
            "productId": parity.ids["crocante"],
            "amount": "1",
            "externalId": "bench-parity",
        }
    }
    fast, stock = await parity.both(bench.CREATE_STAKE, variables)
    assert fast == stock


async def _new_stake(parity: Parity, product: str) -> dict:
    created = await parity.data(
        CREATE, {"input": {"productId": parity.ids[product], "amount": "1"}}
    )
    assert created["createStake"]["userErrors"] == []
    return created["createStake"]


async def test_watching_stakes_replays_alike_on_both_paths(parity: Parity) -> None:
    made = (await _new_stake(parity, "crocante"))["stake"]["id"]
    fast, stock = await parity.both_events(
        example("watch_stakes"),
        {"after": "0"},
        lambda data: data["stakeStatusChanged"]["stake"]["id"] == made,
    )
    assert len(fast) > 1 and fast == stock


async def test_watching_actions_replays_alike_on_both_paths(parity: Parity) -> None:
    made = (await _new_stake(parity, "crocante"))["action"]["id"]
    fast, stock = await parity.both_events(
        example("watch_actions"),
        {"after": "0"},
        lambda data: data["actionStatusChanged"]["action"]["id"] == made,
    )
    assert len(fast) > 1 and fast == stock


async def test_watching_rewards_replays_alike_on_both_paths(parity: Parity) -> None:
    stake = (await _new_stake(parity, "zerohash"))["stake"]
    for day in (1, 2):
        delivered = await deliver(
            parity.gateway, _reward(stake["providerStakeId"], day)
        )
        assert delivered.status_code == 200, delivered.text
    fast, stock = await parity.both_events(
        example("watch_rewards"),
        {"after": "0"},
        lambda data: (
            data["rewardReceived"]["reward"]["stake"]["id"] == stake["id"]
            and data["rewardReceived"]["reward"]["amount"] == "0.002"
        ),
    )
    assert len(fast) > 1 and fast == stock


def _reward(stake_id: str, day: int) -> bytes:
    body = {
        "event_type": "staking_reward.received",
        "participant_code": "DEMO01",
        "account_label": "general",
        "stake_id": stake_id,
        "asset": "ETH",
        "distribution_id": f"parity-{uuid.uuid4()}",
        "reward_amount": f"0.00{day}",
        "cumulative_rewards_amount": f"0.00{day}",
        "credited_at": f"2026-11-2{day}T10:00:00Z",
        "status": "credited",
        "timestamp": f"2026-11-2{day}T10:00:00Z",
    }
    return json.dumps(body, separators=(",", ":")).encode()


async def test_the_bench_live_subscription_answers_alike_on_both_paths(
    parity: Parity,
) -> None:
    gateway = parity.gateway
    demo = {p: list(s.demo_owners) for p, s in gateway.app.state.sandboxes.items()}
    # Another client: the same subscription of one client shares one execution.
    other = await new_client(gateway, "parity", demo)
    seen: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    async with (
        subscriber(gateway.url, DEMO_KEY) as fast_client,
        subscriber(gateway.url, other) as stock_client,
        asyncio.TaskGroup() as readers,
    ):
        for subscribed, (executor, client) in enumerate(
            [(parity.fast, fast_client), (STOCK, stock_client)], start=1
        ):
            with executing_on(gateway, executor):
                await client.subscribe(bench.SUBSCRIPTION)
                assert await arrived(
                    lambda n=subscribed: parity.gauge_is("gateway_bus_subscribers", n)
                )
        fast_reader = readers.create_task(_read_into(fast_client, seen[0]))
        stock_reader = readers.create_task(_read_into(stock_client, seen[1]))
        made = None

        async def both_saw() -> bool:
            return made in seen[0] and made in seen[1]

        # Counted on the bus, a subscriber may still be reading where "now" is, and so
        # skip a stake made that instant: stakes are made until both get the same one.
        for _ in range(5):
            made = (await _new_stake(parity, "crocante"))["stake"]["id"]
            if await arrived(both_saw, within=5):
                break
        fast_reader.cancel()
        stock_reader.cancel()
    assert made is not None and seen[0][made] == seen[1][made]


async def _read_into(client: Any, seen: dict[str, Any]) -> None:
    while True:
        message = await client.next_message(within=60)
        event = message["payload"]["data"]["stakeStatusChanged"]
        seen[event["stake"]["id"]] = ordered(message)


async def arrived(check: Callable[[], Awaitable[bool]], within: float = 20) -> bool:
    """Whether `check` holds within `within` seconds."""
    try:
        await eventually(check, within=within, every=0.02)
    except AssertionError:
        return False
    return True
