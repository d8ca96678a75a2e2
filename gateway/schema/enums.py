"""The domain's enums, registered with Strawberry under the contract's names.

The domain knows no GraphQL, so its enums cannot carry `strawberry.enum_value(...)`:
each enum and each of its values is described here, where it becomes a GraphQL enum.
"""

from collections.abc import Mapping
from dataclasses import replace
from enum import Enum

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from gateway.domain.enums import (
    ActionStatus,
    AllocationActionKind,
    ApprovalState,
    EventSource,
    Provider,
    ProviderState,
    StakeActionKind,
    StakeStatus,
    StakingMode,
    UserErrorCode,
)


def _register(enum: type[Enum], description: str, values: Mapping[Enum, str]) -> None:
    strawberry.enum(enum, description=description)
    definition: StrawberryEnumDefinition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    definition.values = [
        replace(value, description=values.get(enum[value.name]))
        for value in definition.values
    ]


_register(
    Provider,
    "A staking provider behind the gateway.",
    {
        Provider.DFNS: (
            "Dfns: wallet-based staking (ETH, IOTA, XDC, …) and "
            "allocations; polled, rewards as a running total."
        ),
        Provider.ZEROHASH: (
            "Zerohash: custodial staking; needs staking terms accepted "
            "once; pushes webhooks; rewards per distribution."
        ),
        Provider.CROCANTE: (
            "Crocante: fixed and variable yield products; no terms; stakes "
            "are ACTIVE at creation and end by REDEEM; polled."
        ),
    },
)


_register(
    StakeStatus,
    ("The common lifecycle of a staking position, whatever the provider calls it."),
    {
        StakeStatus.PENDING: (
            "Requested, not earning yet (being created, broadcast, or in "
            "the activation queue)."
        ),
        StakeStatus.ACTIVE: "Earning rewards. Crocante stakes start here.",
        StakeStatus.UNBONDING: "Unstake requested; waiting out the unstaking period.",
        StakeStatus.WITHDRAWABLE: "Unbonded; the funds can now be withdrawn with WITHDRAW (Dfns).",
        StakeStatus.WITHDRAWING: "Withdrawal under way.",
        StakeStatus.WITHDRAWN: (
            "Over: funds are back with the owner (withdrawn, unstaked or "
            "redeemed). Final."
        ),
        StakeStatus.FAILED: (
            "The stake could not be made or went wrong at the provider. Final."
        ),
        StakeStatus.CANCELED: "Canceled before it was broadcast (Zerohash). Final.",
    },
)


_register(
    StakeActionKind,
    "A change requested on a stake.",
    {
        StakeActionKind.STAKE: "Puts funds to stake; created by createStake.",
        StakeActionKind.UNSTAKE: (
            "Starts leaving the position (Dfns Unbond, Zerohash unstake); "
            "funds come back after the unstaking period."
        ),
        StakeActionKind.WITHDRAW: "Moves unbonded funds back to the wallet (Dfns).",
        StakeActionKind.DEPOSIT: "Adds funds to an existing position (Dfns IOTA).",
        StakeActionKind.REDEEM: (
            "Ends a Crocante position and pays out principal and yield (Crocante only)."
        ),
        StakeActionKind.CANCEL: (
            "Cancels a stake or unstake request before it is broadcast (Zerohash only)."
        ),
    },
)


_register(
    ActionStatus,
    "Where a requested change stands.",
    {
        ActionStatus.PENDING_APPROVAL: (
            "Waiting for the caller's Dfns policy approval; nothing has "
            "moved yet (Dfns only)."
        ),
        ActionStatus.PENDING: (
            "Accepted by the provider and not started yet; Zerohash actions "
            "can still be canceled."
        ),
        ActionStatus.IN_PROGRESS: "Under way at the provider or on chain.",
        ActionStatus.COMPLETED: "Done: the change took effect. Final.",
        ActionStatus.FAILED: (
            "The provider or chain could not carry it out; see `failureReason`. Final."
        ),
        ActionStatus.REJECTED: "Refused by a Dfns policy approver. Final.",
        ActionStatus.CANCELED: "Canceled before it was broadcast (Zerohash). Final.",
    },
)


_register(
    ApprovalState,
    "Where a provider's approval of an action stands.",
    {
        ApprovalState.PENDING: "Waiting for the approvers; nothing has moved yet.",
        ApprovalState.REJECTED: "Refused by an approver: the action will not run.",
    },
)


_register(
    StakingMode,
    "FIXED: locked for a term; VARIABLE: redeemable at any time.",
    {
        StakingMode.FIXED: "Locked for `durationDays`; redeemable only at the term's end.",
        StakingMode.VARIABLE: "No fixed term: can be unstaked or redeemed at any time.",
    },
)


_register(
    EventSource,
    "Where the gateway learned of a change.",
    {
        EventSource.WEBHOOK: "Pushed by the provider's webhook (Zerohash).",
        EventSource.POLL: "Seen when the gateway polled the provider (Dfns, Crocante).",
        EventSource.MUTATION: "Caused by a mutation made through this gateway.",
    },
)


_register(
    ProviderState,
    "How an upstream is doing.",
    {
        ProviderState.UP: "Answering normally.",
        ProviderState.DEGRADED: (
            "Answering, but the latest calls failed; expect errors or stale data."
        ),
        ProviderState.DOWN: (
            "Not called for now after repeated failures; its data is "
            "missing from answers."
        ),
    },
)


_register(
    UserErrorCode,
    "Why a request was refused, in terms a UI can act on.",
    {
        UserErrorCode.INVALID_INPUT: "An input value is malformed or out of range; see `field`.",
        UserErrorCode.NOT_FOUND: "No such object for this caller.",
        UserErrorCode.FORBIDDEN: "The object belongs to an identity not linked to the caller.",
        UserErrorCode.TERMS_NOT_ACCEPTED: (
            "Zerohash staking terms are not accepted yet; call "
            "acceptStakingTerms(provider: ZEROHASH)."
        ),
        UserErrorCode.INSUFFICIENT_BALANCE: (
            "The wallet or account does not hold enough of the asset."
        ),
        UserErrorCode.BELOW_MINIMUM_STAKE: "The amount is below the product's `minAmount`.",
        UserErrorCode.JURISDICTION_RESTRICTED: (
            "The provider does not offer staking where the caller is (e.g. "
            "some US states at Zerohash)."
        ),
        UserErrorCode.NOT_REDEEMABLE_YET: "A FIXED term has not ended; see `Stake.redeemableAt`.",
        UserErrorCode.UNSUPPORTED_ACTION: (
            "This provider or stake does not support the request now; see "
            "`Stake.availableActions`."
        ),
        UserErrorCode.NOT_CANCELLABLE: (
            "The action cannot be canceled: it is under way, or its "
            "provider offers no cancellation; the message says which."
        ),
        UserErrorCode.IDEMPOTENCY_CONFLICT: (
            "This externalId was already used with a different input."
        ),
        UserErrorCode.PROVIDER_REJECTED: "The provider refused the request; the message says why.",
        UserErrorCode.PROVIDER_UNAVAILABLE: (
            "The provider could not be reached; safe to retry later with "
            "the same externalId."
        ),
    },
)


_register(
    AllocationActionKind,
    "Money moving into or out of an allocation.",
    {
        AllocationActionKind.DEPOSIT: "Moves funds from the wallet into the allocation.",
        AllocationActionKind.WITHDRAW: "Moves funds from the allocation back to the wallet.",
    },
)


__all__ = [
    "ActionStatus",
    "AllocationActionKind",
    "ApprovalState",
    "EventSource",
    "Provider",
    "ProviderState",
    "StakeActionKind",
    "StakeStatus",
    "StakingMode",
    "UserErrorCode",
]
