"""The domain's enums, registered with Strawberry under the contract's names."""

from enum import Enum

import strawberry

from gateway.domain.enums import (
    ActionStatus,
    AllocationActionKind,
    EventSource,
    Provider,
    ProviderState,
    StakeActionKind,
    StakeStatus,
    StakingMode,
    UserErrorCode,
)

_DESCRIPTIONS: dict[type[Enum], str] = {
    Provider: "A staking provider behind the gateway.",
    StakeStatus: "The common lifecycle of a staking position, whatever the provider calls it.",
    StakeActionKind: "A change requested on a stake.",
    ActionStatus: "Where a requested change stands.",
    StakingMode: "FIXED: locked for a term; VARIABLE: redeemable at any time.",
    EventSource: "Where the gateway learned of a change.",
    ProviderState: "How an upstream is doing.",
    UserErrorCode: "Why a request was refused, in terms a UI can act on.",
    AllocationActionKind: "Money moving into or out of an allocation.",
}

for _enum, _description in _DESCRIPTIONS.items():
    strawberry.enum(_enum, description=_description)

__all__ = [
    "ActionStatus",
    "AllocationActionKind",
    "EventSource",
    "Provider",
    "ProviderState",
    "StakeActionKind",
    "StakeStatus",
    "StakingMode",
    "UserErrorCode",
]
