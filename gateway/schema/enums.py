"""The domain's enums, exposed to GraphQL under the contract's names."""

import strawberry

from gateway.domain import enums

Provider = strawberry.enum(enums.Provider, description="A staking provider behind the gateway.")
StakeStatus = strawberry.enum(
    enums.StakeStatus,
    description="The common lifecycle of a staking position, whatever the provider calls it.",
)
StakeActionKind = strawberry.enum(
    enums.StakeActionKind, description="A change requested on a stake."
)
ActionStatus = strawberry.enum(enums.ActionStatus, description="Where a requested change stands.")
StakingMode = strawberry.enum(
    enums.StakingMode,
    description="FIXED: locked for a term; VARIABLE: redeemable at any time.",
)
EventSource = strawberry.enum(enums.EventSource, description="Where the gateway learned of a change.")
ProviderState = strawberry.enum(enums.ProviderState, description="How an upstream is doing.")
UserErrorCode = strawberry.enum(
    enums.UserErrorCode, description="Why a request was refused, in terms a UI can act on."
)
AllocationActionKind = strawberry.enum(
    enums.AllocationActionKind, description="Money moving into or out of an allocation."
)
