"""Mapping Zerohash records into the common model: every status, percentages, products."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gateway.domain.enums import (
    ActionStatus,
    StakeActionKind,
    StakeStatus,
    UserErrorCode,
)
from providers.base import ProviderProtocolError
from providers.zerohash.mapping import (
    product_from_info,
    reward_from_record,
    stake_from_record,
    unstake_action,
)
from providers.zerohash.models import (
    ErrorBody,
    RewardRecord,
    StakeRecord,
    StakingInfo,
    UnstakeRecord,
)
from providers.zerohash.rules import user_error_code
from providers.zerohash.unstakes import Position, allocate
from tests.providers.zerohash.fakes import stake_json

AS_OF = datetime(2026, 3, 5, tzinfo=UTC)


def _unstake(status, kind="full", created="2026-03-03T00:00:00Z"):
    return {
        "unstake_id": f"u-{status}-{created}",
        "stake_id": "stake-1",
        "amount": "10.52",
        "unstake_type": kind,
        "status": status,
        "cooldown_period_days": 8,
        "estimated_available_at": "2026-03-11T00:00:00Z",
        "created_at": created,
        "updated_at": "2026-03-11T00:00:00Z",
    }


def _stake(**overrides):
    return stake_from_record(
        StakeRecord.from_json(stake_json(**overrides)), as_of=AS_OF
    )


@pytest.mark.parametrize(
    ("word", "status", "action"),
    [
        ("submitted", StakeStatus.PENDING, ActionStatus.PENDING),
        ("broadcasted", StakeStatus.PENDING, ActionStatus.IN_PROGRESS),
        ("confirmed", StakeStatus.PENDING, ActionStatus.IN_PROGRESS),
        ("staked", StakeStatus.ACTIVE, ActionStatus.COMPLETED),
        ("canceled", StakeStatus.CANCELED, ActionStatus.CANCELED),
        ("failed", StakeStatus.FAILED, ActionStatus.FAILED),
        ("STAKED", StakeStatus.ACTIVE, ActionStatus.COMPLETED),
    ],
)
def test_every_stake_status_maps_to_the_common_lifecycle(word, status, action):
    stake = _stake(status=word)
    assert stake.status is status
    assert stake.provider_status == word
    assert stake.actions[0].status is action
    assert stake.actions[0].kind is StakeActionKind.STAKE


def _placed(*unstakes, **overrides):
    """A stake with `unstakes` holding a share of it, as the rule places them."""
    records = [UnstakeRecord.from_json(u) for u in unstakes]
    return stake_from_record(
        StakeRecord.from_json(stake_json(**overrides)),
        as_of=AS_OF,
        unbonding=records,
        unstake_actions=[unstake_action(r, "CUST01", "stake-1") for r in records],
    )


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("submitted", StakeStatus.UNBONDING),
        ("broadcasted", StakeStatus.UNBONDING),
        ("confirmed", StakeStatus.UNBONDING),
        ("canceled", StakeStatus.ACTIVE),
        ("failed", StakeStatus.ACTIVE),
    ],
)
def test_a_stake_is_unbonding_while_its_share_is_in_the_exit_queue(word, status):
    stake = _placed(_unstake(word))
    assert stake.status is status
    assert stake.actions[1].kind is StakeActionKind.UNSTAKE
    assert stake.actions[1].estimated_completion_at == datetime(2026, 3, 11, tzinfo=UTC)


def test_an_unbonding_stake_is_redeemable_when_its_unstake_completes():
    stake = _placed(_unstake("confirmed"))
    assert stake.redeemable_at == datetime(2026, 3, 11, tzinfo=UTC)
    assert stake.provider_status == "confirmed"
    assert stake.available_actions == ()


def test_a_stake_emptied_by_its_unstakes_is_withdrawn_and_closed():
    stake = _placed(_unstake("unstaked"), current_quantity="0")
    assert stake.status is StakeStatus.WITHDRAWN
    assert stake.provider_status == "unstaked"
    assert stake.closed_at == datetime(2026, 3, 11, tzinfo=UTC)


def test_a_stake_left_with_something_after_an_unstake_is_active():
    assert _placed(_unstake("unstaked", kind="partial")).status is StakeStatus.ACTIVE


def test_a_later_queued_unstake_wins_over_an_earlier_canceled_one():
    stake = _placed(
        _unstake("canceled", created="2026-03-03T00:00:00Z"),
        _unstake("broadcasted", created="2026-03-04T00:00:00Z"),
    )
    assert stake.status is StakeStatus.UNBONDING


def test_pending_requests_can_be_canceled():
    assert _stake(status="submitted").available_actions == (StakeActionKind.CANCEL,)
    with_pending_unstake = _placed(_unstake("submitted", kind="partial"))
    assert StakeActionKind.CANCEL in with_pending_unstake.available_actions


def test_an_unknown_unstake_status_is_a_protocol_error():
    with pytest.raises(ProviderProtocolError):
        _placed(_unstake("vanished"))


def test_a_stake_record_with_nested_unstakes_ignores_them():
    # The sandbox used to invent `unstakes[]` on a stake; the API has none.
    assert len(_stake(unstakes=[{"anything": 1}]).actions) == 1


def test_the_rule_takes_from_the_oldest_stakes_first():
    old = Position("old", datetime(2026, 3, 1, tzinfo=UTC), Decimal(3))
    new = Position("new", datetime(2026, 3, 2, tzinfo=UTC), Decimal(10))
    assert allocate(Decimal(5), [new, old]) == [("old", Decimal(3)), ("new", 2)]
    assert allocate(Decimal(2), [new, old]) == [("old", Decimal(2))]
    assert allocate(Decimal(20), [new, old]) == [("old", 3), ("new", 10)]


def test_the_guides_stake_status_sample_maps_with_apy_as_a_fraction():
    stake = _stake()
    assert stake.apy == Decimal("0.0385")
    assert (stake.amount, stake.current_amount) == (Decimal("10.5"), Decimal("10.52"))
    assert stake.rewards_earned == Decimal("0.02")
    assert stake.validator.id == "validator_abc123"
    assert stake.activated_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert stake.data_as_of == AS_OF


def test_a_failed_stake_action_carries_the_reason():
    stake = _stake(
        status="failed",
        reason="pool_capacity_exceeded",
        updated_at="2026-03-01T10:10:00Z",
    )
    assert stake.actions[0].failure_reason == "pool_capacity_exceeded"
    assert stake.closed_at == datetime(2026, 3, 1, 10, 10, tzinfo=UTC)


def test_staking_info_maps_to_a_variable_product():
    # The guide's sample entry.
    info = StakingInfo.from_json(
        {
            "asset": "ETH",
            "apy_net": "3.47",
            "lockup_period_days": 0,
            "minimum_stake_amount": "1.00",
            "payout_frequency": "daily",
            "unstaking_period_days": "8",
        }
    )
    product = product_from_info(info)
    assert product.apy == Decimal("0.0347")
    assert product.min_amount == Decimal("1.00")
    assert product.unstaking_period_days == 8
    assert product.lockup_days is None
    assert product.activation_seconds is None


def test_the_guides_reward_sample_maps_to_a_reward():
    record = RewardRecord.from_json(
        {
            "reward_id": "reward_456789",
            "stake_id": "stake_123456",
            "asset": "ETH",
            "reward_amount": "0.025",
            "reward_date": "2025-08-23",
            "apy_at_time": "4.22",
            "validator_id": "validator_abc123",
            "credited_at": "2025-08-24T12:00:00Z",
            "usd_value": "83.25",
        }
    )
    reward = reward_from_record(record, "CUST01")
    assert reward.amount == Decimal("0.025")
    assert reward.apy == Decimal("0.0422")
    assert reward.usd_value == Decimal("83.25")
    assert reward.credited_at == datetime(2025, 8, 24, 12, tzinfo=UTC)
    assert reward.cumulative is False
    assert reward.provider_stake_id == "stake_123456"


def test_the_guides_unstake_sample_parses():
    record = UnstakeRecord.from_json(
        {
            "unstake_id": "unstake_789012",
            "stake_id": "stake_123456",
            "participant_code": "CUST01",
            "asset": "ETH",
            "amount": "5.0",
            "status": "submitted",
            "cooldown_period_days": 8,
            "estimated_available_at": "2025-09-03T16:00:00Z",
            "created_at": "2025-08-24T16:00:00Z",
        }
    )
    assert record.estimated_available_at - record.created_at == timedelta(days=10)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"error_code": "VALIDATION_FAILED",
          "details": {"validation_checks": {"jurisdiction_allowed": False}}},
         UserErrorCode.JURISDICTION_RESTRICTED),
        ({"error_code": "VALIDATION_FAILED",
          "details": {"validation_checks": {"sufficient_balance": False}}},
         UserErrorCode.INSUFFICIENT_BALANCE),
        ({"error_code": "VALIDATION_FAILED",
          "details": {"validation_checks": {"meets_minimum_asset": False}}},
         UserErrorCode.BELOW_MINIMUM_STAKE),
        ({"error_code": "VALIDATION_FAILED",
          "details": {"validation_checks": {"platform_restrictions": "kyc_pending"}}},
         UserErrorCode.FORBIDDEN),
        ({"error_code": "VALIDATION_FAILED", "details": {"stake_status": "confirmed"}},
         UserErrorCode.NOT_REDEEMABLE_YET),
        ({"error_code": "VALIDATION_FAILED", "details": {"stake_status": "canceled"}},
         UserErrorCode.INVALID_INPUT),
    ],
)  # fmt: skip
def test_validation_failures_map_by_their_failing_check(body, code):
    assert user_error_code(ErrorBody.from_json({"message": "m", **body})) is code


def test_a_body_without_error_code_is_no_error_body():
    assert ErrorBody.from_json({"message": "Bad Gateway"}) is None
    assert ErrorBody.from_json("oops") is None
