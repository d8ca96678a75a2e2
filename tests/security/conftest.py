"""A secured gateway on a loopback port (see wiring.py for the hooks it stands for)."""

from collections.abc import AsyncIterator

import pytest

from tests.gateway.conftest import RunningGateway
from tests.security.wiring import start_secure_gateway


@pytest.fixture
async def gateway(tmp_path) -> AsyncIterator[RunningGateway]:
    async for running in start_secure_gateway(tmp_path):
        yield running
