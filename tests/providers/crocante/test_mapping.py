"""How Crocante positions and types read in the common model."""

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gateway.domain.enums import ActionStatus, StakeActionKind, StakeStatus, StakingMode
from providers.base import ProviderProtocolError
from providers.crocante.mapping import (
    position_to_reward,
    position_to_stake,
    product_to_domain,
)
from providers.crocante.models import (
    PositionList,
    parse_position,
    parse_staking_type,
)
from tests.providers.crocante.fakes import position_json

BEFORE_DUE = datetime(2026, 3, 12, tzinfo=UTC)
AFTER_DUE = datetime(2026, 4, 15, 10, 30, tzinfo=UTC)


def position(status="Active", closed_at=None, **overrides):
    body = position_json(**overrides)
    body["operation"] = {**body["operation"], "status": status, "closedAt": closed_at}
    return parse_position(body)


@pytest.mark.parametrize(
    ("word", "stake_status", "action_status"),
    [
        ("Active", StakeStatus.ACTIVE, ActionStatus.COMPLETED),
        ("ACTIVE", StakeStatus.ACTIVE, ActionStatus.COMPLETED),
        ("COMPLETED", StakeStatus.ACTIVE, ActionStatus.COMPLETED),
        # A closing word on a position still listed open, not closed: under way.
        ("Redeemed", StakeStatus.WITHDRAWING, ActionStatus.COMPLETED),
        ("REDEEMED", StakeStatus.WITHDRAWING, ActionStatus.COMPLETED),
        ("CLOSED", StakeStatus.WITHDRAWING, ActionStatus.COMPLETED),
        ("PENDING", StakeStatus.PENDING, ActionStatus.PENDING),
        ("FAILED", StakeStatus.FAILED, ActionStatus.FAILED),
        ("CANCELED", StakeStatus.CANCELED, ActionStatus.CANCELED),
        ("Cancelled", StakeStatus.CANCELED, ActionStatus.CANCELED),
    ],
)
def test_an_open_position_takes_its_state_from_the_word_in_either_casing(
    word, stake_status, action_status
):
    stake = position_to_stake(position(word), "alice", BEFORE_DUE)

    assert stake.status is stake_status
    assert stake.provider_status == word
    assert stake.actions[0].status is action_status


@pytest.mark.parametrize("word", ["Redeemed", "ACTIVE", "COMPLETED", "Frozen"])
def test_a_position_from_the_redeemed_list_is_closed_whatever_its_word(word):
    listed = dataclasses.replace(
        position(word, closed_at="2026-04-20T08:00:00Z"),
        listed_in=PositionList.REDEEMED,
    )

    stake = position_to_stake(listed, "alice", AFTER_DUE)

    assert stake.status is StakeStatus.WITHDRAWN
    assert stake.provider_status == word
    assert stake.closed_at == datetime(2026, 4, 20, 8, tzinfo=UTC)
    assert [(a.kind, a.status) for a in stake.actions] == [
        (StakeActionKind.STAKE, ActionStatus.COMPLETED),
        (StakeActionKind.REDEEM, ActionStatus.COMPLETED),
    ]
    assert stake.available_actions == ()


def test_a_closed_at_closes_a_position_even_on_the_active_list():
    stake = position_to_stake(
        position("ACTIVE", closed_at="2026-04-20T08:00:00Z"), "alice", AFTER_DUE
    )

    assert stake.status is StakeStatus.WITHDRAWN
    assert stake.available_actions == ()


def test_a_redeemed_listing_without_closed_at_is_closed_as_of_its_last_update():
    listed = dataclasses.replace(position("Redeemed"), listed_in=PositionList.REDEEMED)

    stake = position_to_stake(listed, "alice", AFTER_DUE)

    assert stake.status is StakeStatus.WITHDRAWN
    assert stake.closed_at is None  # not invented
    assert stake.actions[1].created_at == datetime(2026, 3, 12, 14, 20, tzinfo=UTC)


def test_an_unknown_status_is_a_protocol_error():
    with pytest.raises(ProviderProtocolError):
        position_to_stake(position("Frozen"), "alice", BEFORE_DUE)


def test_the_seed_position_maps_field_by_field():
    stake = position_to_stake(position(), "alice", BEFORE_DUE)

    assert stake.provider_stake_id == "op_1"
    assert stake.owner == "alice"
    assert stake.asset.symbol == "BTC"
    assert stake.protocol is None
    assert stake.provider_product_id == "stake_btc_fixed_90"
    assert stake.amount == Decimal("0.5")
    assert stake.current_amount == Decimal("0.50987")
    assert stake.rewards_earned == Decimal("0.00987")
    assert stake.apy == Decimal("0.08")
    assert stake.created_at == datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    assert stake.activated_at == datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    assert stake.redeemable_at == AFTER_DUE
    assert stake.closed_at is None
    assert stake.data_as_of == BEFORE_DUE
    [staked] = stake.actions
    assert staked.provider_action_id == "op_1:stake"
    assert staked.kind is StakeActionKind.STAKE
    assert staked.created_at == stake.created_at
    assert staked.amount == Decimal("0.5")


def test_a_fixed_stake_offers_redeem_only_from_its_due_time():
    before = position_to_stake(position(), "alice", BEFORE_DUE)
    at_due = position_to_stake(position(), "alice", AFTER_DUE)

    assert before.available_actions == ()
    assert at_due.available_actions == (StakeActionKind.REDEEM,)


def test_a_variable_stake_offers_redeem_at_any_time():
    variable = position(
        redeemableAt=None,
        type={
            "id": "v",
            "currencyId": "ETH",
            "mode": "VARIABLE",
            "apy": "0.05",
            "minAmount": "0.1",
        },
    )

    stake = position_to_stake(variable, "alice", BEFORE_DUE)

    assert stake.available_actions == (StakeActionKind.REDEEM,)


def test_a_redeemed_stake_offers_nothing_and_has_a_redeem_action_at_its_close():
    closed = position("Redeemed", closed_at="2026-04-20T08:00:00Z")

    stake = position_to_stake(closed, "alice", AFTER_DUE)

    assert stake.available_actions == ()
    assert stake.closed_at == datetime(2026, 4, 20, 8, tzinfo=UTC)
    redeem = stake.actions[1]
    assert redeem.provider_action_id == "op_1:redeem"
    assert redeem.kind is StakeActionKind.REDEEM
    assert redeem.status is ActionStatus.COMPLETED
    assert redeem.created_at == stake.closed_at


def test_yield_is_one_cumulative_reward_credited_at_the_last_update():
    reward = position_to_reward(position(), "alice")

    assert reward is not None
    assert reward.provider_reward_id == "op_1:yield"
    assert reward.amount == Decimal("0.00987")
    assert reward.cumulative is True
    assert reward.credited_at == datetime(2026, 3, 12, 14, 20, tzinfo=UTC)
    assert reward.apy == Decimal("0.08")
    assert reward.asset.symbol == "BTC"


def test_a_position_with_no_yield_yet_has_no_reward():
    assert position_to_reward(position(**{"yield": "0"}), "alice") is None


def test_types_map_to_products():
    fixed = product_to_domain(
        parse_staking_type(
            {
                "id": "ADA_180DAY",
                "currencyId": "ada",
                "mode": "FIXED",
                "apy": "0.045",
                "minAmount": "100",
                "durationDays": 180,
            }
        )
    )
    variable = product_to_domain(
        parse_staking_type(
            {
                "id": "ADA_FLEX",
                "currencyId": "ADA",
                "mode": "variable",
                "apy": "0.025",
                "minAmount": "10",
            }
        )
    )

    assert (fixed.mode, fixed.lockup_days, fixed.duration_days) == (
        StakingMode.FIXED,
        180,
        180,
    )
    assert fixed.asset.symbol == "ADA"
    assert (variable.mode, variable.lockup_days, variable.duration_days) == (
        StakingMode.VARIABLE,
        0,
        None,
    )
    assert variable.min_amount == Decimal("10") and variable.apy == Decimal("0.025")
