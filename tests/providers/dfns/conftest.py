from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from providers.dfns import DfnsAdapter
from providers.dfns.sandbox import DfnsSandbox
from providers.sandbox_kit import SimulatedClock
from tests.providers.dfns.wire import RawDfns

BASE_URL = "http://sandbox"


@pytest.fixture
def clock() -> SimulatedClock:
    # Time moves only when a test advances it.
    return SimulatedClock(time_scale=0.0)


@pytest.fixture
def sandbox(clock: SimulatedClock) -> DfnsSandbox:
    return DfnsSandbox(clock=clock)


@pytest.fixture
async def http(sandbox: DfnsSandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def adapter(http: httpx.AsyncClient, sandbox: DfnsSandbox) -> DfnsAdapter:
    return DfnsAdapter(http, sandbox.gateway_config(BASE_URL))


@pytest.fixture
def raw(http: httpx.AsyncClient, sandbox: DfnsSandbox) -> RawDfns:
    config = sandbox.gateway_config(BASE_URL)
    key = serialization.load_pem_private_key(
        config.private_key_pem.get_secret_value().encode(), password=None
    )
    return RawDfns(http, config.auth_token.get_secret_value(), config.cred_id, key)
