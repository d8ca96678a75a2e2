"""Every action a stake cannot take now says why, from the common model alone."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gateway.domain.availability import unavailable_actions
from gateway.domain.enums import (
    ActionStatus,
    Provider,
    StakeActionKind,
    StakeStatus,
)
from gateway.domain.models import Asset, Stake, StakeAction

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def stake(provider, status, available=(), actions=(), redeemable_at=None) -> Stake:
    return Stake(
        provider=provider,
        provider_stake_id="s-1",
        owner="o",
        status=status,
        provider_status="x",
        asset=Asset(symbol="ETH"),
        amount=Decimal(1),
        created_at=NOW,
        data_as_of=NOW,
        available_actions=tuple(available),
        actions=tuple(actions),
        redeemable_at=redeemable_at,
    )


def why(value: Stake) -> dict[StakeActionKind, str]:
    return {u.action: u.reason for u in unavailable_actions(value)}


def test_what_is_available_is_never_explained_away():
    active = stake(Provider.ZEROHASH, StakeStatus.ACTIVE, [StakeActionKind.UNSTAKE])
    assert set(why(active)) == {StakeActionKind.CANCEL}


def test_the_reasons_follow_status_actions_and_redeemability():
    pending = why(stake(Provider.DFNS, StakeStatus.PENDING))
    assert pending[StakeActionKind.UNSTAKE] == "The stake is not active yet."
    assert (
        pending[StakeActionKind.WITHDRAW]
        == "Only a WITHDRAWABLE stake can be withdrawn."
    )
    assert pending[StakeActionKind.CANCEL].startswith("Dfns offers no cancellation")

    busy = StakeAction(
        provider=Provider.DFNS, provider_action_id="a", owner="o",
        kind=StakeActionKind.UNSTAKE, status=ActionStatus.IN_PROGRESS,
        provider_status="InProgress", created_at=NOW,
    )  # fmt: skip
    held = why(stake(Provider.DFNS, StakeStatus.ACTIVE, actions=[busy]))
    assert "under way" in held[StakeActionKind.UNSTAKE]

    locked = why(
        stake(
            Provider.CROCANTE, StakeStatus.ACTIVE, redeemable_at=NOW + timedelta(days=3)
        )
    )
    assert locked[StakeActionKind.REDEEM].startswith("Redeemable from 2026-03-04")

    closed = why(stake(Provider.ZEROHASH, StakeStatus.WITHDRAWN))
    assert "nothing more" in closed[StakeActionKind.UNSTAKE]
