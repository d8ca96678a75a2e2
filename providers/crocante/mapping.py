"""Pure functions from Crocante's models to the common model (no I/O).

A Crocante position is a Stake keyed by `operation.id`. Crocante keeps no action
records, so the stake's actions are synthesised: its STAKE at `openedAt` and, once
closed, its REDEEM at `closedAt`. Its `yield` is one cumulative Reward.

Where a position is in its lifecycle comes from the list it was read from and from
`operation.closedAt` (seed 003: a redeemed position moves to the redeemed list and its
`closedAt` is set), not from the status word alone, whose casing and vocabulary differ
between the seed and the backend (PROVIDERS.md 3):
- listed as redeemed, or `closedAt` set: closed, WITHDRAWN, whatever the word;
- otherwise open, and the word tells which open state: PENDING, ACTIVE (also
  `COMPLETED`), FAILED, CANCELED; a closing word (`Redeemed`, `CLOSED`) on a position
  still listed open and not closed is a redemption under way: WITHDRAWING.
"""

from datetime import datetime
from decimal import Decimal

from gateway.domain.enums import (
    ActionStatus,
    Provider,
    StakeActionKind,
    StakeStatus,
    StakingMode,
)
from gateway.domain.models import Asset, Reward, Stake, StakeAction, StakingProduct
from gateway.domain.provider_statuses import (
    UnknownProviderStatus,
    action_status,
    stake_status,
)
from providers.base import ProviderProtocolError
from providers.crocante.models import (
    CrocantePosition,
    CrocanteStakingType,
    PositionList,
)

P = Provider.CROCANTE
PAYOUT_AT_REDEMPTION = "at redemption"


def product_to_domain(staking_type: CrocanteStakingType) -> StakingProduct:
    fixed = staking_type.mode is StakingMode.FIXED
    return StakingProduct(
        provider=P,
        provider_product_id=staking_type.id,
        asset=Asset(symbol=staking_type.currency_id),
        mode=staking_type.mode,
        apy=staking_type.apy,
        min_amount=staking_type.min_amount,
        duration_days=staking_type.duration_days,
        lockup_days=staking_type.duration_days if fixed else 0,
        # Redeeming pays out at once: there is no unbonding queue.
        unstaking_period_days=0,
        payout_frequency=PAYOUT_AT_REDEMPTION,
    )


def stake_action_id(op_id: str) -> str:
    return f"{op_id}:stake"


def redeem_action_id(op_id: str) -> str:
    return f"{op_id}:redeem"


def reward_id(op_id: str) -> str:
    return f"{op_id}:yield"


def is_closed(position: CrocantePosition) -> bool:
    return (
        position.listed_in is PositionList.REDEEMED
        or position.operation.closed_at is not None
    )


def lifecycle(position: CrocantePosition) -> StakeStatus:
    if is_closed(position):
        return StakeStatus.WITHDRAWN
    try:
        status = stake_status(P, position.operation.status)
    except UnknownProviderStatus as exc:
        raise ProviderProtocolError(P, str(exc)) from None
    return StakeStatus.WITHDRAWING if status is StakeStatus.WITHDRAWN else status


def _actions(position: CrocantePosition, owner: str) -> tuple[StakeAction, ...]:
    operation = position.operation
    closed = is_closed(position)
    if closed:
        opened_status = ActionStatus.COMPLETED
    else:
        try:
            opened_status = action_status(P, operation.status)
        except UnknownProviderStatus as exc:
            raise ProviderProtocolError(P, str(exc)) from None
    staked = StakeAction(
        provider=P,
        provider_action_id=stake_action_id(operation.id),
        owner=owner,
        kind=StakeActionKind.STAKE,
        status=opened_status,
        provider_status=operation.status,
        created_at=operation.opened_at,
        provider_stake_id=operation.id,
        amount=position.initial_amount,
    )
    if not closed:
        return (staked,)
    redeemed = StakeAction(
        provider=P,
        provider_action_id=redeem_action_id(operation.id),
        owner=owner,
        kind=StakeActionKind.REDEEM,
        status=ActionStatus.COMPLETED,
        provider_status=operation.status,
        # The seed promises `closedAt` on a redeemed position; failing that, the last
        # time Crocante says it changed.
        created_at=operation.closed_at or operation.updated_at or operation.opened_at,
        provider_stake_id=operation.id,
        amount=position.amount,
    )
    return (staked, redeemed)


def is_redeemable(position: CrocantePosition, now: datetime) -> bool:
    """Open, and either variable or past its term: what Crocante will redeem."""
    if is_closed(position):
        return False
    if position.staking_type.mode is StakingMode.VARIABLE:
        return True
    return position.redeemable_at is not None and position.redeemable_at <= now


def current_amount(position: CrocantePosition, amount_includes_yield: bool) -> Decimal:
    """What the position is worth now: the seed's principal `amount` plus its `yield`,
    or `amount` alone where it already includes the yield (`amount_includes_yield`)."""
    if amount_includes_yield:
        return position.amount
    return position.amount + position.yield_


def position_to_stake(
    position: CrocantePosition,
    owner: str,
    now: datetime,
    *,
    amount_includes_yield: bool = False,
) -> Stake:
    """`now` is when the position was read: it decides whether REDEEM is available."""
    operation = position.operation
    status = lifecycle(position)
    return Stake(
        provider=P,
        provider_stake_id=operation.id,
        owner=owner,
        status=status,
        provider_status=operation.status,
        asset=Asset(symbol=position.staking_type.currency_id),
        amount=position.initial_amount,
        created_at=operation.opened_at,
        data_as_of=now,
        protocol=None,
        provider_product_id=position.type_id,
        current_amount=current_amount(position, amount_includes_yield),
        apy=position.apy,
        rewards_earned=position.yield_,
        activated_at=position.starts_at,
        redeemable_at=position.redeemable_at,
        closed_at=operation.closed_at,
        actions=_actions(position, owner),
        available_actions=(StakeActionKind.REDEEM,)
        if status is StakeStatus.ACTIVE and is_redeemable(position, now)
        else (),
        rewards=tuple(
            r for r in [position_to_reward(position, owner)] if r is not None
        ),
    )


def position_to_reward(position: CrocantePosition, owner: str) -> Reward | None:
    """The yield so far as one cumulative reward; None while nothing has accrued."""
    if position.yield_ == 0:
        return None
    operation = position.operation
    return Reward(
        provider=P,
        provider_reward_id=reward_id(operation.id),
        owner=owner,
        asset=Asset(symbol=position.staking_type.currency_id),
        amount=position.yield_,
        cumulative=True,
        provider_stake_id=operation.id,
        credited_at=operation.updated_at or operation.closed_at or operation.opened_at,
        apy=position.apy,
    )
