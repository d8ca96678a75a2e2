"""Pure functions: Zerohash's records into the common model. No I/O.

Zerohash speaks in requests: a stake request (`stake_id`) and asset-level unstake
requests (`unstake_id`). One stake request is one `Stake`; its own request is its STAKE
action. How an unstake shows on the stakes of its asset is the rule in
`providers.zerohash.unstakes`: the caller passes the unstakes whose shares of this stake
are in the exit queue, and the UNSTAKE actions to show on it. APYs arrive as
percentages ("3.85") and leave as fractions (0.0385).
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from gateway.domain.enums import (
    ActionStatus,
    Provider,
    StakeActionKind,
    StakeStatus,
    StakingMode,
)
from gateway.domain.models import (
    Asset,
    Reward,
    Stake,
    StakeAction,
    StakingProduct,
    Validator,
)
from gateway.domain.provider_statuses import (
    UnknownProviderStatus,
    action_status,
    stake_status,
    zerohash_unstaking_status,
)
from providers.zerohash.models import (
    AssetInfo,
    RewardRecord,
    StakeRecord,
    StakingInfo,
    UnstakeRecord,
)
from providers.zerohash.parsing import protocol_error
from providers.zerohash.unstakes import IN_EXIT_QUEUE

PROVIDER = Provider.ZEROHASH
HUNDRED = Decimal(100)


def percent_to_fraction(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else percent / HUNDRED


def product_from_info(
    info: StakingInfo, asset: AssetInfo | None = None
) -> StakingProduct:
    activation = info.activation_time_hours
    minimum = info.minimum_stake_amount
    return StakingProduct(
        provider=PROVIDER,
        provider_product_id=info.asset,
        asset=Asset(symbol=info.asset),
        mode=StakingMode.VARIABLE,
        protocol=asset.name if asset else None,
        apy=percent_to_fraction(info.apy_net),
        # The live API has no minimums; a positive one is honoured if it ever returns.
        min_amount=minimum if minimum else None,
        lockup_days=info.lockup_period_days or None,
        unstaking_period_days=info.unstaking_period_days,
        payout_frequency=info.payout_frequency,
        activation_seconds=int(activation * 3600) if activation is not None else None,
    )


def _stake_word(word: str) -> StakeStatus:
    try:
        return stake_status(PROVIDER, word)
    except UnknownProviderStatus as exc:
        raise protocol_error(str(exc)) from None


def _unstaking_word(word: str) -> StakeStatus:
    try:
        return zerohash_unstaking_status(word)
    except UnknownProviderStatus as exc:
        raise protocol_error(str(exc)) from None


def _action_status(word: str) -> ActionStatus:
    try:
        return action_status(PROVIDER, word)
    except UnknownProviderStatus as exc:
        raise protocol_error(str(exc)) from None


def stake_action(record: StakeRecord) -> StakeAction:
    return StakeAction(
        provider=PROVIDER,
        provider_action_id=record.stake_id,
        owner=record.participant_code,
        kind=StakeActionKind.STAKE,
        status=_action_status(record.status),
        provider_status=record.status,
        created_at=record.created_at,
        provider_stake_id=record.stake_id,
        amount=record.quantity,
        transaction_hash=record.tx_hash,
        failure_reason=record.reason if record.status.lower() == "failed" else None,
        estimated_completion_at=record.estimated_activation_time,
    )


def unstake_action(
    record: UnstakeRecord, owner: str, stake_id: str | None
) -> StakeAction:
    return StakeAction(
        provider=PROVIDER,
        provider_action_id=record.unstake_id,
        owner=owner,
        kind=StakeActionKind.UNSTAKE,
        status=_action_status(record.status),
        provider_status=record.status,
        created_at=record.created_at,
        provider_stake_id=record.stake_id or stake_id,
        amount=record.amount,
        transaction_hash=record.tx_hash,
        failure_reason=record.reason if record.status.lower() == "failed" else None,
        estimated_completion_at=record.estimated_available_at,
    )


def _available_actions(
    status: StakeStatus, record: StakeRecord, unbonding: Sequence[UnstakeRecord]
) -> tuple[StakeActionKind, ...]:
    pending_unstake = any(u.status.lower() == "submitted" for u in unbonding)
    kinds: list[StakeActionKind] = []
    if status is StakeStatus.ACTIVE:
        kinds.append(StakeActionKind.UNSTAKE)
    if record.status.lower() == "submitted" or pending_unstake:
        kinds.append(StakeActionKind.CANCEL)
    return tuple(kinds)


def stake_from_record(
    record: StakeRecord,
    *,
    as_of: datetime,
    unbonding: Sequence[UnstakeRecord] = (),
    unstake_actions: Sequence[StakeAction] = (),
) -> Stake:
    """`unbonding`: the unstakes with a share of this stake in the exit queue;
    `unstake_actions`: the UNSTAKE actions shown on it (see `unstakes`)."""
    own = _stake_word(record.status)
    status, provider_status = own, record.status
    redeemable_at = closed_at = None
    queued = [u for u in unbonding if u.status.lower() in IN_EXIT_QUEUE]
    done = [u for u in unbonding if u.status.lower() == "unstaked"]
    if own is StakeStatus.ACTIVE and record.current_quantity == 0:
        # Every share of it was unstaked: the position is gone.
        status, closed_at = StakeStatus.WITHDRAWN, record.updated_at
        if done:
            last = max(done, key=lambda u: u.created_at)
            provider_status = last.status
            closed_at = last.updated_at or last.estimated_available_at or closed_at
    elif queued and own is StakeStatus.ACTIVE:
        latest = max(queued, key=lambda u: u.created_at)
        status, provider_status = _unstaking_word(latest.status), latest.status
        times = [u.estimated_available_at for u in queued if u.estimated_available_at]
        redeemable_at = max(times) if times else None
    if status in (StakeStatus.CANCELED, StakeStatus.FAILED):
        closed_at = record.updated_at
    validator = None
    if record.validator is not None:
        validator = Validator(record.validator.provider, record.validator.validator_id)
    actions = (
        stake_action(record),
        *sorted(unstake_actions, key=lambda a: a.created_at),
    )
    return Stake(
        provider=PROVIDER,
        provider_stake_id=record.stake_id,
        owner=record.participant_code,
        status=status,
        provider_status=provider_status,
        asset=Asset(symbol=record.asset),
        amount=record.quantity,
        created_at=record.created_at,
        data_as_of=as_of,
        provider_product_id=record.asset,
        current_amount=record.current_quantity,
        apy=percent_to_fraction(record.apy),
        rewards_earned=record.total_rewards_earned,
        validator=validator,
        activated_at=record.activated_at,
        redeemable_at=redeemable_at,
        closed_at=closed_at,
        actions=actions,
        available_actions=_available_actions(status, record, queued),
    )


def reward_from_record(record: RewardRecord, owner: str) -> Reward:
    return Reward(
        provider=PROVIDER,
        provider_reward_id=record.reward_id,
        owner=owner,
        asset=Asset(symbol=record.asset),
        amount=record.reward_amount,
        cumulative=False,
        provider_stake_id=record.stake_id,
        credited_at=record.credited_at,
        apy=percent_to_fraction(record.apy),
        usd_value=record.usd_value,
        validator_id=record.validator_id,
    )
