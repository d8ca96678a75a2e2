"""The enumerations of the common model, named as the public GraphQL contract names them."""

from enum import StrEnum


class Provider(StrEnum):
    DFNS = "DFNS"
    ZEROHASH = "ZEROHASH"
    CROCANTE = "CROCANTE"


class StakeStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    UNBONDING = "UNBONDING"
    WITHDRAWABLE = "WITHDRAWABLE"
    WITHDRAWING = "WITHDRAWING"
    WITHDRAWN = "WITHDRAWN"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


class StakeActionKind(StrEnum):
    STAKE = "STAKE"
    UNSTAKE = "UNSTAKE"
    WITHDRAW = "WITHDRAW"
    DEPOSIT = "DEPOSIT"
    REDEEM = "REDEEM"
    CANCEL = "CANCEL"


class ActionStatus(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    REJECTED = "REJECTED"
    CANCELED = "CANCELED"


class ApprovalState(StrEnum):
    PENDING = "PENDING"
    REJECTED = "REJECTED"


class StakingMode(StrEnum):
    FIXED = "FIXED"
    VARIABLE = "VARIABLE"


class EventSource(StrEnum):
    WEBHOOK = "WEBHOOK"
    POLL = "POLL"
    MUTATION = "MUTATION"


class ProviderState(StrEnum):
    UP = "UP"
    DEGRADED = "DEGRADED"
    DOWN = "DOWN"


class UserErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    TERMS_NOT_ACCEPTED = "TERMS_NOT_ACCEPTED"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    BELOW_MINIMUM_STAKE = "BELOW_MINIMUM_STAKE"
    JURISDICTION_RESTRICTED = "JURISDICTION_RESTRICTED"
    NOT_REDEEMABLE_YET = "NOT_REDEEMABLE_YET"
    UNSUPPORTED_ACTION = "UNSUPPORTED_ACTION"
    NOT_CANCELLABLE = "NOT_CANCELLABLE"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    PROVIDER_REJECTED = "PROVIDER_REJECTED"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"


class AllocationActionKind(StrEnum):
    DEPOSIT = "DEPOSIT"
    WITHDRAW = "WITHDRAW"


# Where a stake sits in its lifecycle: a report that would move a stake to a lower rank
# is stale (out of order) and must not move the status back.
STAKE_STATUS_RANK: dict[StakeStatus, int] = {
    StakeStatus.PENDING: 0,
    StakeStatus.ACTIVE: 1,
    StakeStatus.UNBONDING: 2,
    StakeStatus.WITHDRAWABLE: 3,
    StakeStatus.WITHDRAWING: 4,
    StakeStatus.WITHDRAWN: 5,
    StakeStatus.FAILED: 5,
    StakeStatus.CANCELED: 5,
}

ACTION_STATUS_RANK: dict[ActionStatus, int] = {
    ActionStatus.PENDING_APPROVAL: 0,
    ActionStatus.PENDING: 1,
    ActionStatus.IN_PROGRESS: 2,
    ActionStatus.COMPLETED: 3,
    ActionStatus.FAILED: 3,
    ActionStatus.REJECTED: 3,
    ActionStatus.CANCELED: 3,
}
