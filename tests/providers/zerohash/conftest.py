"""A Zerohash sandbox on a stopped clock, an httpx client on it, an adapter on both."""

from collections.abc import AsyncIterator

import httpx
import pytest

from providers.sandbox_kit import SimulatedClock
from providers.zerohash import ZerohashAdapter
from providers.zerohash.sandbox import ZerohashSandbox
from tests.providers.zerohash.helpers import (
    API_KEY,
    API_SECRET,
    BASE_URL,
    PASSPHRASE,
    START,
    WEBHOOK_SECRET,
)


@pytest.fixture
def clock() -> SimulatedClock:
    # time_scale=0: only `advance` moves time, so every amount is exact.
    return SimulatedClock(time_scale=0, start=START)


@pytest.fixture
def sandbox(clock: SimulatedClock) -> ZerohashSandbox:
    return ZerohashSandbox(
        clock=clock,
        api_key=API_KEY,
        api_secret=API_SECRET,
        passphrase=PASSPHRASE,
        webhook_secret=WEBHOOK_SECRET,
        seed=7,
    )


@pytest.fixture
async def http(sandbox: ZerohashSandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def adapter(http: httpx.AsyncClient, sandbox: ZerohashSandbox) -> ZerohashAdapter:
    return ZerohashAdapter(http, sandbox.gateway_config(BASE_URL), retry_base_delay=0)
