"""CrocanteAdapter against the sandbox: every operation, end to end over HTTP."""

import asyncio
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.domain.commands import CreateStake, CreateStakeAction, Unstake
from gateway.domain.enums import (
    ActionStatus,
    Provider,
    StakeActionKind,
    StakeStatus,
    StakingMode,
    UserErrorCode,
)
from providers.base import ProviderAuthError, ProviderRejected, StakingAdapter
from providers.crocante import CrocanteAdapter, CrocanteConfig
from providers.crocante.sandbox import CrocanteSandbox
from providers.sandbox_kit import SimulatedClock
from tests.providers.crocante.fakes import BASE_URL, PASSWORD, InterleavingTransport


async def product(adapter, product_id):
    return next(
        p for p in await adapter.list_products() if p.provider_product_id == product_id
    )


async def stake(adapter, owner, product_id, amount, external_id=None):
    chosen = await product(adapter, product_id)
    command = CreateStake(
        owner=owner, product=chosen, amount=Decimal(amount), external_id=external_id
    )
    return await adapter.create_stake(command)


def test_the_adapter_is_a_staking_adapter(adapter):
    assert isinstance(adapter, StakingAdapter)
    assert adapter.provider is Provider.CROCANTE


async def test_products_carry_mode_apy_minimum_and_lockup(adapter):
    fixed = await product(adapter, "stake_btc_fixed_90")
    variable = await product(adapter, "stake_eth_variable")

    assert fixed.mode is StakingMode.FIXED
    assert fixed.asset.symbol == "BTC"
    assert fixed.apy == Decimal("0.08")
    assert fixed.min_amount == Decimal("0.001")
    assert fixed.duration_days == fixed.lockup_days == 90
    assert variable.mode is StakingMode.VARIABLE
    assert variable.lockup_days == 0 and variable.duration_days is None
    assert fixed.unstaking_period_days == variable.unstaking_period_days == 0
    assert fixed.payout_frequency == "at redemption"


async def test_create_stake_finds_the_new_position_and_its_stake_action(adapter):
    result = await stake(
        adapter, "alice", "stake_eth_variable", "2.5", external_id="ext-1"
    )

    assert result.stake is not None and result.action is not None
    assert result.stake.owner == "alice"
    assert result.stake.status is StakeStatus.ACTIVE
    assert result.stake.provider_status == "ACTIVE"
    assert result.stake.amount == Decimal("2.5")
    assert result.stake.provider_product_id == "stake_eth_variable"
    assert result.stake.available_actions == (StakeActionKind.REDEEM,)
    op_id = result.stake.provider_stake_id
    assert result.action.provider_action_id == f"{op_id}:stake"
    assert result.action.kind is StakeActionKind.STAKE
    assert result.action.status is ActionStatus.COMPLETED
    assert result.action.external_id == "ext-1"


async def test_concurrent_identical_stakes_each_get_their_own_position(sandbox):
    transport = InterleavingTransport(httpx.ASGITransport(app=sandbox.app))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        adapter = CrocanteAdapter(
            client, sandbox.gateway_config(BASE_URL), now=sandbox.clock.now
        )

        results = await asyncio.gather(
            *(stake(adapter, "alice", "stake_eth_variable", "1") for _ in range(3))
        )

    assert len({r.stake.provider_stake_id for r in results}) == 3


async def test_create_stake_refusals_map_to_user_error_codes(adapter):
    cases = [
        ("stake_eth_variable", "0.01", UserErrorCode.BELOW_MINIMUM_STAKE),
        ("stake_eth_variable", "51", UserErrorCode.INSUFFICIENT_BALANCE),
    ]
    for product_id, amount, code in cases:
        with pytest.raises(ProviderRejected) as caught:
            await stake(adapter, "alice", product_id, amount)
        assert caught.value.user_error_code is code


async def test_staking_into_a_product_that_is_gone_is_not_found(adapter):
    gone = await product(adapter, "stake_eth_variable")
    gone = replace(gone, provider_product_id="stake_eth_fixed_legacy")

    with pytest.raises(ProviderRejected) as caught:
        await adapter.create_stake(
            CreateStake(owner="alice", product=gone, amount=Decimal(2))
        )

    assert caught.value.user_error_code is UserErrorCode.NOT_FOUND


async def test_a_non_positive_amount_is_invalid_input_before_any_call(adapter):
    with pytest.raises(ProviderRejected) as caught:
        await stake(adapter, "alice", "stake_eth_variable", "0")

    assert caught.value.user_error_code is UserErrorCode.INVALID_INPUT


async def test_a_validator_is_refused_as_invalid_input(adapter):
    chosen = await product(adapter, "stake_eth_variable")
    command = CreateStake(
        owner="alice", product=chosen, amount=Decimal(1), validator="v1"
    )

    with pytest.raises(ProviderRejected) as caught:
        await adapter.create_stake(command)

    assert caught.value.user_error_code is UserErrorCode.INVALID_INPUT


async def test_demo_stakes_map_every_seeded_state(adapter):
    stakes = {s.provider_product_id: s for s in await adapter.list_stakes(["demo"])}

    assert stakes["stake_eth_variable"].available_actions == (StakeActionKind.REDEEM,)
    assert stakes["stake_eth_variable"].redeemable_at is None
    assert stakes["stake_usdt_fixed_30"].available_actions == (StakeActionKind.REDEEM,)
    assert stakes["stake_btc_fixed_90"].available_actions == ()
    assert stakes["stake_btc_fixed_90"].status is StakeStatus.ACTIVE
    closed = stakes["stake_sol_variable"]
    assert closed.status is StakeStatus.WITHDRAWN
    # Its word is the backend's COMPLETED (ACTIVE by the word alone): its list and
    # closedAt say it is closed.
    assert closed.provider_status == "COMPLETED"
    assert closed.closed_at is not None
    assert closed.available_actions == ()
    assert [a.kind for a in closed.actions] == [
        StakeActionKind.STAKE,
        StakeActionKind.REDEEM,
    ]
    assert closed.actions[1].created_at == closed.closed_at


async def test_a_stakes_amounts_come_from_principal_and_yield(adapter, clock):
    created = await stake(adapter, "alice", "stake_eth_variable", "10")
    await clock.advance(73 * 86400)

    [current] = await adapter.list_stakes(["alice"])

    assert current.provider_stake_id == created.stake.provider_stake_id
    assert current.amount == Decimal(10)
    assert current.rewards_earned == Decimal("0.1")
    assert current.current_amount == Decimal("10.1")
    assert current.apy == Decimal("0.05")
    assert current.asset.symbol == "ETH"
    assert current.created_at == current.activated_at == created.stake.created_at


async def test_list_stakes_walks_every_page(sandbox, http):
    config = sandbox.gateway_config(BASE_URL)
    small_pages = CrocanteAdapter(
        http, replace(config, page_size=2), now=sandbox.clock.now
    )
    for _ in range(5):
        await stake(small_pages, "alice", "stake_eth_variable", "1")

    stakes = await small_pages.list_stakes(["alice", "alice"])

    assert len(stakes) == 5


async def test_list_stakes_covers_every_owner(adapter):
    await stake(adapter, "alice", "stake_eth_variable", "1")
    await stake(adapter, "bob", "stake_sol_variable", "5")

    stakes = await adapter.list_stakes(["alice", "bob"])

    assert {(s.owner, s.asset.symbol) for s in stakes} == {
        ("alice", "ETH"),
        ("bob", "SOL"),
    }


async def test_get_stake_finds_open_and_redeemed_stakes_and_none_otherwise(adapter):
    demo = await adapter.list_stakes(["demo"])
    closed = next(s for s in demo if s.closed_at is not None)
    open_ = next(s for s in demo if s.closed_at is None)

    assert (await adapter.get_stake("demo", open_.provider_stake_id)) == open_
    assert (await adapter.get_stake("demo", closed.provider_stake_id)) == closed
    assert await adapter.get_stake("demo", "op_nope") is None
    assert await adapter.get_stake("alice", open_.provider_stake_id) is None


async def test_unstake_redeems_the_whole_position(adapter, clock, sandbox):
    created = await stake(adapter, "alice", "stake_eth_variable", "10")
    await clock.advance(73 * 86400)

    result = await adapter.unstake(
        Unstake(owner="alice", stake=created.stake, external_id="ext-2")
    )

    assert result.stake.status is StakeStatus.WITHDRAWN
    assert result.stake.closed_at == clock.now()
    assert result.action.kind is StakeActionKind.REDEEM
    assert result.action.status is ActionStatus.COMPLETED
    assert result.action.provider_action_id.endswith(":redeem")
    assert result.action.external_id == "ext-2"
    assert sandbox.state.users["alice"].balances["ETH"] == Decimal("50.1")


async def test_unstaking_part_of_a_position_is_unsupported(adapter):
    created = await stake(adapter, "alice", "stake_eth_variable", "10")

    with pytest.raises(ProviderRejected) as caught:
        await adapter.unstake(
            Unstake(owner="alice", stake=created.stake, amount=Decimal(4))
        )

    assert caught.value.user_error_code is UserErrorCode.UNSUPPORTED_ACTION


async def test_redeem_before_due_is_refused_with_not_redeemable_yet(adapter):
    created = await stake(adapter, "alice", "stake_btc_fixed_90", "0.5")
    command = CreateStakeAction(
        owner="alice", stake=created.stake, kind=StakeActionKind.REDEEM
    )

    with pytest.raises(ProviderRejected) as caught:
        await adapter.create_stake_action(command)

    assert caught.value.user_error_code is UserErrorCode.NOT_REDEEMABLE_YET


async def test_a_fixed_stake_becomes_redeemable_at_the_end_of_its_term(adapter, clock):
    created = await stake(adapter, "alice", "stake_btc_fixed_90", "0.5")
    await clock.advance(90 * 86400)

    [due] = await adapter.list_stakes(["alice"])
    result = await adapter.create_stake_action(
        CreateStakeAction(
            owner="alice", stake=created.stake, kind=StakeActionKind.REDEEM
        )
    )

    assert due.available_actions == (StakeActionKind.REDEEM,)
    assert result.stake.status is StakeStatus.WITHDRAWN
    # 0.5 x 0.08 x 90/365 = 0.00986301369863013698..., cut at 18 decimals
    assert result.stake.rewards_earned == Decimal("0.009863013698630136")


async def test_redeeming_another_users_stake_is_not_found(adapter):
    created = await stake(adapter, "alice", "stake_eth_variable", "1")

    with pytest.raises(ProviderRejected) as caught:
        await adapter.unstake(Unstake(owner="mallory", stake=created.stake))

    assert caught.value.user_error_code is UserErrorCode.NOT_FOUND


@pytest.mark.parametrize(
    "kind", [StakeActionKind.WITHDRAW, StakeActionKind.DEPOSIT, StakeActionKind.CANCEL]
)
async def test_actions_other_than_redeem_are_unsupported(adapter, kind):
    created = await stake(adapter, "alice", "stake_eth_variable", "1")

    with pytest.raises(ProviderRejected) as caught:
        await adapter.create_stake_action(
            CreateStakeAction(owner="alice", stake=created.stake, kind=kind)
        )

    assert caught.value.user_error_code is UserErrorCode.UNSUPPORTED_ACTION


async def test_rewards_are_one_cumulative_reward_per_position_with_yield(
    adapter, clock
):
    created = await stake(adapter, "alice", "stake_eth_variable", "10")
    await clock.advance(73 * 86400)

    [reward] = await adapter.list_rewards(["alice"])

    op_id = created.stake.provider_stake_id
    assert reward.provider_reward_id == f"{op_id}:yield"
    assert reward.provider_stake_id == op_id
    assert reward.amount == Decimal("0.1")
    assert reward.cumulative is True
    assert reward.asset.symbol == "ETH"
    assert reward.apy == Decimal("0.05")
    assert reward.credited_at == clock.now()


async def test_demo_rewards_cover_open_and_redeemed_positions(adapter):
    rewards = await adapter.list_rewards(["demo"])

    assert len(rewards) == 5
    assert all(r.amount > 0 for r in rewards)


async def test_accept_terms_is_unsupported(adapter):
    with pytest.raises(ProviderRejected) as caught:
        await adapter.accept_terms("alice")

    assert caught.value.user_error_code is UserErrorCode.UNSUPPORTED_ACTION


async def test_eligibility_checks_the_product_and_its_minimum(adapter):
    eth = await product(adapter, "stake_eth_variable")
    gone = replace(eth, provider_product_id="stake_eth_fixed_legacy")

    assert await adapter.check_eligibility("alice", eth, Decimal(1)) == []
    # No balance endpoint: the balance is not judged here.
    assert await adapter.check_eligibility("alice", eth, Decimal(1000)) == []
    [below] = await adapter.check_eligibility("alice", eth, Decimal("0.05"))
    [missing] = await adapter.check_eligibility("alice", gone, Decimal(1))
    [negative] = await adapter.check_eligibility("alice", eth, Decimal(-1))
    assert below.code is UserErrorCode.BELOW_MINIMUM_STAKE
    assert missing.code is UserErrorCode.NOT_FOUND
    assert negative.code is UserErrorCode.INVALID_INPUT


async def test_health_check_passes_against_a_healthy_sandbox(adapter, http):
    answers = []

    async def record(response):
        answers.append(response.status_code)

    http.event_hooks["response"] = [record]
    await adapter.health_check()
    assert answers and all(200 <= status < 300 for status in answers)


async def test_the_adapter_logs_in_again_when_its_token_expires(http, sandbox, clock):
    logins = []
    http.event_hooks["request"] = [_record_logins(logins)]
    adapter = CrocanteAdapter(http, sandbox.gateway_config(BASE_URL), now=clock.now)
    await adapter.list_stakes(["demo"])
    assert len(logins) == 1

    await clock.advance(3601)
    stakes = await adapter.list_stakes(["demo"])

    assert len(stakes) == 5
    assert len(logins) == 2


def _record_logins(logins):
    async def hook(request):
        if request.url.path.endswith("/auth/login"):
            logins.append(request)

    return hook


async def test_one_login_per_owner_serves_many_calls(http, sandbox):
    logins = []
    http.event_hooks["request"] = [_record_logins(logins)]
    adapter = CrocanteAdapter(
        http, sandbox.gateway_config(BASE_URL), now=sandbox.clock.now
    )

    for _ in range(3):
        await adapter.list_stakes(["demo"])

    assert len(logins) == 1


async def test_a_wrong_password_is_an_auth_error(http):
    config = CrocanteConfig(
        base_url=BASE_URL, password=SecretStr("wrong"), login_any_owner=True
    )

    with pytest.raises(ProviderAuthError):
        await CrocanteAdapter(http, config).list_stakes(["demo"])


async def test_a_single_user_config_serves_only_that_user(http):
    config = CrocanteConfig(
        base_url=BASE_URL, username="demo", password=SecretStr(PASSWORD)
    )
    adapter = CrocanteAdapter(http, config)

    assert len(await adapter.list_stakes(["demo"])) == 5
    with pytest.raises(ProviderRejected) as caught:
        await adapter.list_stakes(["alice"])
    assert caught.value.user_error_code is UserErrorCode.FORBIDDEN


async def test_the_base_path_of_the_injected_client_is_kept(sandbox):
    host = Starlette(routes=[Mount("/sandbox/crocante", app=sandbox.app)])
    base = "http://gateway/sandbox/crocante/"
    transport = httpx.ASGITransport(app=host)
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        adapter = CrocanteAdapter(
            client, sandbox.gateway_config(base), now=sandbox.clock.now
        )

        assert len(await adapter.list_products()) == 9
        assert len(await adapter.list_stakes(["demo"])) == 5


async def test_the_adapter_passes_a_totp_protected_login():
    sandbox = CrocanteSandbox(
        clock=SimulatedClock(time_scale=0),
        password=PASSWORD,
        totp_secret="JBSWY3DPEHPK3PXP",
    )
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        with_totp = CrocanteAdapter(client, sandbox.gateway_config(BASE_URL))
        without = CrocanteAdapter(
            client, replace(sandbox.gateway_config(BASE_URL), totp_secret=None)
        )

        assert len(await with_totp.list_stakes(["demo"])) == 5
        with pytest.raises(ProviderAuthError):
            await without.list_stakes(["demo"])


@pytest.mark.parametrize(
    "changes",
    [
        {"login_any_owner": False, "username": None},
        {"page_size": 0},
        {"page_size": 101},
        {"redeem_path": "staking/redeem"},
    ],
)
def test_an_unusable_config_is_refused_at_once(changes):
    values = {"base_url": BASE_URL, "username": "alice", **changes}

    with pytest.raises(ValueError):
        CrocanteConfig(**values)
