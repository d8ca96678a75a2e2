"""Recorded provider conversations, replayed with one answer made hostile.

Each adapter talks to its real sandbox once while a tape records every answer; the
property tests then replay the tape through `httpx.MockTransport`, with one answer
changed by a hypothesis-chosen mutation, against a freshly built adapter.
"""

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.domain.commands import CreateStake
from gateway.domain.enums import Provider
from gateway.settings import Settings
from gateway.wiring import SANDBOX_PATHS, build_adapters, build_sandboxes

Operation = Callable[[Any, "Context"], Awaitable[Any]]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Context:
    owner: str
    products: list[Any] = field(default_factory=list)
    stake_id: str | None = None


Mutation = Callable[[Answer], Answer]


class Recorder(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.answers: dict[tuple[str, str], list[Answer]] = defaultdict(list)
        self.order: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        key = (request.method, request.url.path)
        keep = ("content-type", "retry-after", "location")
        headers = [(k, v) for k, v in response.headers.items() if k.lower() in keep]
        self.answers[key].append(Answer(response.status_code, headers, body))
        self.order.append(key)
        return httpx.Response(response.status_code, headers=headers, content=body)

    def tape(self) -> "Tape":
        return Tape(dict(self.answers), list(self.order))


@dataclass(frozen=True)
class Tape:
    answers: dict[tuple[str, str], list[Answer]]
    order: list[tuple[str, str]]

    def player(self, mutate_at: int | None = None, mutation: Mutation | None = None):
        queues = {key: deque(answers) for key, answers in self.answers.items()}
        served = 0

        def handler(request: httpx.Request) -> httpx.Response:
            nonlocal served
            queue = queues.get((request.method, request.url.path))
            if not queue:
                return httpx.Response(404, json={"error": "not on the tape"})
            answer = queue.popleft() if len(queue) > 1 else queue[0]
            if mutation is not None and served == mutate_at:
                answer = mutation(answer)
            served += 1
            return httpx.Response(
                answer.status, headers=answer.headers, content=answer.body
            )

        return handler


def settings() -> Settings:
    # A frozen sandbox clock: the same tape maps to the same result every time.
    return Settings(GATEWAY_PUBLIC_URL="http://gateway", SANDBOX_TIME_SCALE=0)


class Adapters:
    """Fresh adapters over the given transports, closed on exit."""

    def __init__(self, sandboxes, transports) -> None:
        # Every provider gets a transport: a default one costs an SSL context.
        unused = httpx.MockTransport(lambda _: httpx.Response(503))
        everyone = {p: transports.get(p, unused) for p in Provider}
        self.wiring = build_adapters(settings(), sandboxes, everyone)

    async def __aenter__(self):
        return self.wiring

    async def __aexit__(self, *_: object) -> None:
        for client in self.wiring.clients:
            await client.aclose()


def sandbox_transport(sandboxes) -> httpx.AsyncBaseTransport:
    app = Starlette(
        routes=[
            Mount(f"/sandbox/{SANDBOX_PATHS[p]}", app=s.app)
            for p, s in sandboxes.items()
        ]
    )
    return httpx.ASGITransport(app=app)


async def _products(adapter, context: Context):
    return await adapter.list_products()


async def _stakes(adapter, context: Context):
    return await adapter.list_stakes([context.owner])


async def _rewards(adapter, context: Context):
    return await adapter.list_rewards([context.owner])


async def _stake(adapter, context: Context):
    assert context.stake_id is not None
    return await adapter.get_stake(context.owner, context.stake_id)


async def _allocations(adapter, context: Context):
    return await adapter.list_allocations([context.owner])


CREATE_PRODUCT = {
    Provider.CROCANTE: ("stake_eth_variable", Decimal(1)),
    Provider.ZEROHASH: ("ETH", Decimal(1)),
    Provider.DFNS: ("Ethereum", Decimal("1.5")),
}


async def _create(adapter, context: Context):
    wanted, amount = CREATE_PRODUCT[adapter.provider]
    product = next(
        p for p in context.products if wanted in (p.provider_product_id, p.protocol)
    )
    return await adapter.create_stake(CreateStake(context.owner, product, amount))


OPERATIONS: dict[str, Operation] = {
    "list_products": _products,
    "list_stakes": _stakes,
    "list_rewards": _rewards,
    "get_stake": _stake,
    "create_stake": _create,
}


@dataclass
class Recording:
    sandboxes: dict[Provider, Any]
    contexts: dict[Provider, Context]
    tapes: dict[tuple[Provider, str], Tape]
    baselines: dict[tuple[Provider, str], Any]


async def record() -> Recording:
    sandboxes = build_sandboxes(settings())
    for sandbox in sandboxes.values():
        await sandbox.start()
    tapes: dict[tuple[Provider, str], Tape] = {}
    baselines: dict[tuple[Provider, str], Any] = {}
    contexts: dict[Provider, Context] = {}
    try:
        for provider, sandbox in sandboxes.items():
            context = Context(owner=sandbox.demo_owners[0])
            contexts[provider] = context
            operations = dict(OPERATIONS)
            if provider is Provider.DFNS:
                operations["list_allocations"] = _allocations
            for name, operation in operations.items():
                recorder = Recorder(sandbox_transport(sandboxes))
                async with Adapters(sandboxes, {provider: recorder}) as wiring:
                    adapter = (
                        wiring.allocation_adapters[provider]
                        if name == "list_allocations"
                        else wiring.adapters[provider]
                    )
                    result = await operation(adapter, context)
                if name == "list_products":
                    context.products = list(result)
                if name == "list_stakes":
                    context.stake_id = result[0].provider_stake_id
                tapes[(provider, name)] = recorder.tape()
                baselines[(provider, name)] = result
    finally:
        for sandbox in sandboxes.values():
            await sandbox.stop()
    return Recording(sandboxes, contexts, tapes, baselines)


async def replay(recording: Recording, provider: Provider, name: str, handler) -> Any:
    operation = OPERATIONS.get(name) or _allocations
    transports = {provider: httpx.MockTransport(handler)}
    async with Adapters(recording.sandboxes, transports) as wiring:
        adapter = (
            wiring.allocation_adapters[provider]
            if name == "list_allocations"
            else wiring.adapters[provider]
        )
        return await asyncio.wait_for(
            operation(adapter, recording.contexts[provider]), 10
        )


def decimals(value: Any) -> list[Decimal]:
    """Every Decimal in a result, in order: what "the amounts" of a result are."""
    found: list[Decimal] = []
    if isinstance(value, Decimal):
        found.append(value)
    elif is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            found += decimals(getattr(value, item.name))
    elif isinstance(value, list | tuple):
        for item in value:
            found += decimals(item)
    elif isinstance(value, dict):
        for item in value.values():
            found += decimals(item)
    return found


def json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
