"""A Crocante sandbox on a stopped clock, an httpx client on it, an adapter on both."""

from collections.abc import AsyncIterator

import httpx
import pytest

from providers.crocante import CrocanteAdapter
from providers.crocante.sandbox import CrocanteSandbox
from providers.sandbox_kit import SimulatedClock
from tests.providers.crocante.fakes import BASE_URL, PASSWORD, START


@pytest.fixture
def clock() -> SimulatedClock:
    # time_scale=0: only `advance` moves time, so every amount is exact.
    return SimulatedClock(time_scale=0, start=START)


@pytest.fixture
def sandbox(clock: SimulatedClock) -> CrocanteSandbox:
    return CrocanteSandbox(clock=clock, password=PASSWORD, token_ttl_seconds=3600)


@pytest.fixture
async def http(sandbox: CrocanteSandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def adapter(http: httpx.AsyncClient, sandbox: CrocanteSandbox) -> CrocanteAdapter:
    return CrocanteAdapter(
        http, sandbox.gateway_config(BASE_URL), now=sandbox.clock.now
    )
