"""Crocante's deployment config: endpoint paths from the environment (a real deployment
sits behind a proxy prefix), and the reading of a position's `amount` one setting
away (CROCANTE_AMOUNT_INCLUDES_YIELD)."""

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.domain.commands import CreateStake
from gateway.settings import Settings
from gateway.wiring import ConfigurationError, crocante_config
from providers.crocante import CrocanteAdapter
from providers.crocante.sandbox import CrocanteSandbox
from providers.sandbox_kit import SimulatedClock
from tests.providers.crocante.fakes import PASSWORD, START

REAL = {
    "CROCANTE_API_URL": "https://proxy.example/crocante/v1/",
    "CROCANTE_USERNAME": "alice",
    "CROCANTE_PASSWORD": "secret",
}


def test_by_default_the_seed_paths_and_reading_are_used():
    config = crocante_config(Settings(**REAL), None)
    assert config.base_url == REAL["CROCANTE_API_URL"]
    assert (config.login_path, config.types_path, config.create_path) == (
        "auth/login",
        "staking/types",
        "staking",
    )
    assert (config.active_path, config.redeemed_path, config.redeem_path) == (
        "staking/active",
        "staking/redeemed",
        "staking/%OPID/redeem",
    )
    assert config.amount_includes_yield is False


def test_every_path_and_the_amount_reading_come_from_the_environment():
    settings = Settings(
        **REAL,
        CROCANTE_LOGIN_PATH="auth/login",
        CROCANTE_TYPES_PATH="private/staking/types",
        CROCANTE_STAKE_PATH="private/staking",
        CROCANTE_ACTIVE_PATH="private/staking/active",
        CROCANTE_REDEEMED_PATH="private/staking/redeemed",
        CROCANTE_REDEEM_PATH="private/staking/%OPID/redeem",
        CROCANTE_AMOUNT_INCLUDES_YIELD="true",
    )
    config = crocante_config(settings, None)
    assert config.types_path == "private/staking/types"
    assert config.create_path == "private/staking"
    assert config.active_path == "private/staking/active"
    assert config.redeemed_path == "private/staking/redeemed"
    assert config.redeem_path == "private/staking/%OPID/redeem"
    assert config.amount_includes_yield is True


def test_a_redeem_path_without_its_placeholder_is_a_configuration_error():
    settings = Settings(**REAL, CROCANTE_REDEEM_PATH="staking/redeem")
    with pytest.raises(ConfigurationError, match="%OPID"):
        crocante_config(settings, None)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(time_scale=0, start=START)


def _served(sandbox: CrocanteSandbox, prefix: str = "") -> httpx.AsyncClient:
    app = Starlette(routes=[Mount(prefix, app=sandbox.app)]) if prefix else sandbox.app
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=f"http://proxy{prefix}/"
    )


async def _variable_stake_after_73_days(
    sandbox: CrocanteSandbox, http: httpx.AsyncClient, includes: bool, clock
) -> tuple[Decimal, Decimal, Decimal]:
    config = replace(
        sandbox.gateway_config(str(http.base_url)), amount_includes_yield=includes
    )
    adapter = CrocanteAdapter(http, config, now=clock.now)
    (product,) = [
        p
        for p in await adapter.list_products()
        if p.provider_product_id == "stake_eth_variable"
    ]
    await adapter.create_stake(CreateStake("carol", product, Decimal(10)))
    await clock.advance(73 * 86400)
    (stake,) = await adapter.list_stakes(["carol"])
    assert stake.current_amount is not None and stake.rewards_earned is not None
    return stake.amount, stake.rewards_earned, stake.current_amount


@pytest.fixture
async def prefixed(clock) -> AsyncIterator[tuple[CrocanteSandbox, httpx.AsyncClient]]:
    sandbox = CrocanteSandbox(clock=clock, password=PASSWORD)
    async with _served(sandbox, "/gw/crocante/v1") as http:
        yield sandbox, http


async def test_the_api_is_reached_behind_a_proxy_prefix(prefixed, clock):
    sandbox, http = prefixed
    amounts = await _variable_stake_after_73_days(sandbox, http, False, clock)
    # The seed's reading: 10 principal, 5 % for 73 days is 0.1 of yield beside it.
    assert amounts == (Decimal(10), Decimal("0.1"), Decimal("10.1"))


@pytest.mark.parametrize(
    ("served_with_yield", "read_with_yield", "current"),
    [
        (False, False, Decimal("10.1")),  # the seed, read as the seed
        (True, True, Decimal("10.1")),  # the frontend's mock data, read as such
        (True, False, Decimal("10.2")),  # a mismatch counts the yield twice
    ],
)
async def test_the_amount_reading_is_one_setting_away(
    clock, served_with_yield, read_with_yield, current
):
    sandbox = CrocanteSandbox(
        clock=clock, password=PASSWORD, amount_includes_yield=served_with_yield
    )
    async with _served(sandbox) as http:
        amounts = await _variable_stake_after_73_days(
            sandbox, http, read_with_yield, clock
        )
    assert amounts == (Decimal(10), Decimal("0.1"), current)
