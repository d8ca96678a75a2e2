"""Pure functions: Dfns staking models → the common model. No I/O.

`as_of` is when the data was read; keeping to the caller's wallets is the adapter's job.
"""

from datetime import datetime
from decimal import Decimal

from gateway.domain.enums import (
    ActionStatus,
    ApprovalState,
    Provider,
    StakeActionKind,
    StakeStatus,
)
from gateway.domain.models import Approval, Reward, Stake, StakeAction, Validator
from gateway.domain.provider_statuses import (
    UnknownProviderStatus,
    action_status,
    stake_status,
)
from providers.base import MAX_SANE_AMOUNT
from providers.dfns.catalog import STAKING_PROTOCOLS, StakingProtocol
from providers.dfns.fields import protocol_error
from providers.dfns.models import DfnsRewards, DfnsStake, DfnsStakeAction
from providers.dfns.units import whole_amount

ACTION_KINDS: dict[str, StakeActionKind] = {
    "Stake": StakeActionKind.STAKE,
    "Unbond": StakeActionKind.UNSTAKE,
    "Withdraw": StakeActionKind.WITHDRAW,
    "Deposit": StakeActionKind.DEPOSIT,
}

# What a caller can ask of an Active stake, by protocol (PROVIDERS.md 1.3): Ethereum and
# Iota unstake by withdrawing; Xdc unbonds first, then withdraws. Babylon takes none:
# the current create-action body has no Babylon variant.
_WHEN_ACTIVE: dict[str, tuple[StakeActionKind, ...]] = {
    "Ethereum": (StakeActionKind.UNSTAKE, StakeActionKind.WITHDRAW),
    "Iota": (
        StakeActionKind.UNSTAKE,
        StakeActionKind.WITHDRAW,
        StakeActionKind.DEPOSIT,
    ),
    "Xdc": (StakeActionKind.UNSTAKE,),
}
_TWO_STEP = frozenset({"Xdc", "Babylon"})
_IN_FLIGHT = frozenset(
    {ActionStatus.PENDING_APPROVAL, ActionStatus.PENDING, ActionStatus.IN_PROGRESS}
)


# Dfns' action status is all it says of a policy approval on a staking action
# (PROVIDERS.md 1.3): no approver counts and no expiry are documented there.
_APPROVALS: dict[str, Approval] = {
    "PendingPolicyApproval": Approval(ApprovalState.PENDING),
    "Rejected": Approval(ApprovalState.REJECTED),
}


def protocol_of(stake: DfnsStake) -> StakingProtocol:
    protocol = STAKING_PROTOCOLS.get(stake.protocol)
    if protocol is None:
        raise protocol_error(
            f"stake {stake.id} has an unknown protocol {stake.protocol!r}"
        )
    return protocol


def stake_status_of(word: str) -> StakeStatus:
    try:
        return stake_status(Provider.DFNS, word)
    except UnknownProviderStatus as exc:
        raise protocol_error(str(exc)) from None


def action_status_of(word: str) -> ActionStatus:
    try:
        return action_status(Provider.DFNS, word)
    except UnknownProviderStatus as exc:
        raise protocol_error(str(exc)) from None


def to_stake_action(
    action: DfnsStakeAction, owner: str, protocol: StakingProtocol
) -> StakeAction:
    amount = None
    if action.amount is not None:
        amount = whole_amount(action.amount, protocol.decimals, "action amount")
    return StakeAction(
        provider=Provider.DFNS,
        provider_action_id=action.id,
        owner=owner,
        kind=ACTION_KINDS[action.kind],
        status=action_status_of(action.status),
        provider_status=action.status,
        created_at=action.date_created,
        provider_stake_id=action.stake_id,
        amount=amount,
        transaction_hash=action.transaction_hash,
        failure_reason=action.failure_reason,
        external_id=action.external_id,
        approval=_APPROVALS.get(action.status),
    )


def available_actions(
    protocol: StakingProtocol, status: StakeStatus, actions: tuple[StakeAction, ...]
) -> tuple[StakeActionKind, ...]:
    """What `create_stake_action` can ask now: one action at a time per stake."""
    if protocol.closed_reason is not None or any(
        a.status in _IN_FLIGHT for a in actions
    ):
        return ()
    if status is StakeStatus.ACTIVE:
        return _WHEN_ACTIVE.get(protocol.name, ())
    if status is StakeStatus.WITHDRAWABLE and protocol.name in _TWO_STEP:
        return (StakeActionKind.UNSTAKE, StakeActionKind.WITHDRAW)
    return ()


def to_stake(
    stake: DfnsStake, as_of: datetime, rewards: Decimal | None = None
) -> Stake:
    protocol = protocol_of(stake)
    status = stake_status_of(stake.status)
    asked = stake.amount or stake.data_amount
    if asked is None:
        raise protocol_error(f"stake {stake.id} carries no amount")
    amount = whole_amount(asked, protocol.decimals, "stake amount")
    current = amount
    if stake.data_amount is not None:
        current = whole_amount(stake.data_amount, protocol.decimals, "staked amount")
    if status in (StakeStatus.WITHDRAWN, StakeStatus.FAILED):
        current = Decimal(0)
    actions = tuple(
        to_stake_action(a, stake.wallet_id, protocol) for a in stake.actions or ()
    )
    validator = None
    if stake.validator or stake.provider:
        validator = Validator(provider=stake.provider, id=stake.validator)
    return Stake(
        provider=Provider.DFNS,
        provider_stake_id=stake.id,
        owner=stake.wallet_id,
        status=status,
        provider_status=stake.status,
        asset=protocol.asset,
        amount=amount,
        created_at=stake.date_created,
        data_as_of=as_of,
        protocol=protocol.name,
        provider_product_id=protocol.product_id,
        current_amount=current,
        rewards_earned=rewards,
        validator=validator,
        actions=actions,
        available_actions=available_actions(protocol, status, actions),
    )


def rewards_amount(rewards: DfnsRewards, protocol: StakingProtocol) -> Decimal:
    """The running reward balance in whole units.

    Dfns counts amounts in minimum units; a balance with a decimal point cannot be one,
    so it is read as whole units (defensive: the docs give no unit for this field).
    """
    if rewards.symbol.upper() != protocol.asset.symbol:
        raise protocol_error(
            f"rewards are in {rewards.symbol!r}, not {protocol.asset.symbol} as staked"
        )
    if "." in rewards.balance:
        try:
            value = Decimal(rewards.balance)
        except ArithmeticError:
            raise protocol_error("rewards.balance is not a number") from None
        if not value.is_finite() or value < 0 or value > MAX_SANE_AMOUNT:
            raise protocol_error("rewards.balance is out of range")
        return value
    return whole_amount(rewards.balance, protocol.decimals, "rewards.balance")


def to_reward(stake: DfnsStake, rewards: DfnsRewards, as_of: datetime) -> Reward:
    """Dfns keeps one running balance per stake: one cumulative Reward."""
    protocol = protocol_of(stake)
    return Reward(
        provider=Provider.DFNS,
        provider_reward_id=f"{stake.id}:cumulative",
        owner=stake.wallet_id,
        asset=protocol.asset,
        amount=rewards_amount(rewards, protocol),
        cumulative=True,
        provider_stake_id=stake.id,
        credited_at=as_of,
        validator_id=stake.validator,
    )
