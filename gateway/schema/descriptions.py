"""Descriptions for every part of the GraphQL schema that code does not describe.

`DESCRIPTIONS` is keyed "Type", "Type.field", "Type.field(arg)" or "Enum.VALUE".
`apply_descriptions` writes each entry onto the built graphql-core schema, only where
the code left the description empty, and fails on a key that names nothing, so the
table cannot drift from the schema.
"""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

_ID = "Global, opaque id; pass it to `node(id:)` to fetch this object again."
_CURSOR = "Opaque cursor of this item; pass it as `after` to continue after it."
_FIRST = "How many items to return: default 20, at most 100."
_AFTER = (
    "An opaque cursor from a previous page's `pageInfo.endCursor`; omit it to start from the "
    "newest."
)
_EVENT_AFTER = "Opaque event cursor: events since it are replayed first, then new ones follow live."
_PAGE_INFO = "Whether more items follow, and the cursor to fetch them."
_FAILURES = (
    "Providers that could not answer; the items from the others are still returned."
)
_USER_ERRORS = "Why the request was refused; empty on success."
_EXTERNAL_ID = (
    "Optional idempotency key chosen by the caller: repeating the same key with the same input "
    "runs it once and returns the same result."
)
_OCCURRED = "When the change happened (UTC, ISO 8601)."
_SOURCE = "How the gateway learned of it: Zerohash pushes webhooks, Dfns and Crocante are polled."
_PROVIDER = "The staking provider holding it."
_SLIPPAGE = "Swap slippage tolerance in basis points (1 bp = 0.01 %), 0 to 10,000; 0fns swaps only."
_WHOLE_LC = (
    'in whole units of the asset, as an exact decimal string ("1.5" ETH, not wei).'
)
_WHOLE = "I" + _WHOLE_LC[1:]

DESCRIPTIONS: dict[str, str] = {
    # --- payloads -------------------------------------------------------------------
    "AcceptTermsPayload": "The result of acceptStakingTerms.",
    "AcceptTermsPayload.accepted": (
        "True once the caller's terms at that provider are accepted (also when they already "
        "were)."
    ),
    "AcceptTermsPayload.userErrors": _USER_ERRORS,
    "StakeActionPayload": "The result of createStake, unstake or createStakeAction.",
    "StakeActionPayload.stake": (
        "The stake as it stands after the request; null if the request was refused."
    ),
    "StakeActionPayload.action": "The action the request created; null if the request was refused.",
    "StakeActionPayload.userErrors": _USER_ERRORS,
    "AllocationActionPayload": "The result of createAllocation or createAllocationAction.",
    "AllocationActionPayload.allocation": (
        "The allocation as it stands after the request; null if refused."
    ),
    "AllocationActionPayload.action": (
        "The deposit or withdrawal the request created; null if refused."
    ),
    "AllocationActionPayload.userErrors": _USER_ERRORS,
    # --- action status ------------------------------------------------------------
    "ActionStatus.PENDING_APPROVAL": (
        "Waiting for the caller's Dfns policy approval; nothing has moved yet (Dfns only)."
    ),
    "ActionStatus.PENDING": (
        "Accepted by the provider and not started yet; Zerohash actions can still be canceled."
    ),
    "ActionStatus.IN_PROGRESS": "Under way at the provider or on chain.",
    "ActionStatus.COMPLETED": "Done: the change took effect. Final.",
    "ActionStatus.FAILED": (
        "The provider or chain could not carry it out; see `failureReason`. Final."
    ),
    "ActionStatus.REJECTED": "Refused by a Dfns policy approver. Final.",
    "ActionStatus.CANCELED": "Canceled before it was broadcast (Zerohash). Final.",
    "ActionStatusEvent": "One status change of an action on one of the caller's stakes.",
    "ActionStatusEvent.cursor": (
        "Opaque event cursor; pass it as `after` to resume from this event."
    ),
    "ActionStatusEvent.action": "The action, as it stands after the change.",
    "ActionStatusEvent.previousStatus": (
        "The status before the change; null when the action is new."
    ),
    "ActionStatusEvent.status": "The status after the change.",
    "ActionStatusEvent.occurredAt": _OCCURRED,
    "ActionStatusEvent.source": _SOURCE,
    # --- allocations (Dfns only) -------------------------------------------------
    "Allocation.id": _ID,
    "Allocation.provider": "Always DFNS: allocations are a Dfns feature.",
    "Allocation.providerAllocationId": "Dfns's own id for the allocation (allctn-…).",
    "Allocation.walletId": "The Dfns wallet that holds the allocation.",
    "Allocation.protocol": (
        "The Dfns yield protocol, e.g. 0fns or GauntletUsdcPrime, as Dfns names it."
    ),
    "Allocation.amount": "What is allocated now, in whole units of its asset.",
    "Allocation.rewards": "Yield earned so far, in whole units of its asset.",
    "Allocation.createdAt": "When the allocation was opened (UTC, ISO 8601).",
    "Allocation.actions": "Deposits and withdrawals on this allocation, oldest first.",
    "AllocationAction.id": _ID,
    "AllocationAction.kind": "Deposit into or withdrawal from the allocation.",
    "AllocationAction.status": "Where the action stands, in the common vocabulary.",
    "AllocationAction.providerStatus": (
        "Dfns's own status word, e.g. PendingPolicyApproval or InProgress."
    ),
    "AllocationAction.sourceAsset": (
        "For 0fns swaps: what was given, in whole units; null for vault protocols."
    ),
    "AllocationAction.targetAsset": (
        "For 0fns swaps: what was asked for, in whole units; null for vault protocols."
    ),
    "AllocationAction.amount": "For vault protocols: the amount moved, " + _WHOLE_LC,
    "AllocationAction.failureReason": (
        "Dfns's reason, set only when the status is FAILED or REJECTED."
    ),
    "AllocationAction.externalId": "The idempotency key given when it was created, if any.",
    "AllocationAction.createdAt": "When the action was requested (UTC, ISO 8601).",
    "AllocationAction.allocation": "The allocation this action is on.",
    "AllocationActionKind.DEPOSIT": "Moves funds from the wallet into the allocation.",
    "AllocationActionKind.WITHDRAW": "Moves funds from the allocation back to the wallet.",
    "AllocationConnection": "A page of allocations, newest first.",
    "AllocationConnection.edges": "The allocations on this page, each with its cursor.",
    "AllocationConnection.pageInfo": _PAGE_INFO,
    "AllocationConnection.providerFailures": "Set when Dfns could not answer.",
    "AllocationEdge": "One allocation in a page, with its cursor.",
    "AllocationEdge.cursor": _CURSOR,
    "AllocationEdge.node": "The allocation.",
    # --- assets -------------------------------------------------------------------
    "AssetAmount.asset": "Which asset the amount is in.",
    "AssetAmountInput": "An amount of one asset for a Dfns allocation (0fns swap legs).",
    "AssetAmountInput.contract": "Token contract address (Erc20) or mint (Spl); omit for Native.",
    # --- inputs ---------------------------------------------------------------------
    "CreateAllocationActionInput": "A deposit into or withdrawal from an existing Dfns allocation.",
    "CreateAllocationActionInput.allocationId": "The allocation's global id.",
    "CreateAllocationActionInput.kind": "DEPOSIT or WITHDRAW.",
    "CreateAllocationActionInput.sourceAsset": "For 0fns: what to give; omit for vault protocols.",
    "CreateAllocationActionInput.targetAsset": (
        "For 0fns: what to receive; omit for vault protocols."
    ),
    "CreateAllocationActionInput.slippageBps": _SLIPPAGE,
    "CreateAllocationActionInput.amount": "For vault protocols: the amount to move, "
    + _WHOLE_LC,
    "CreateAllocationActionInput.externalId": _EXTERNAL_ID,
    "CreateAllocationInput": (
        "Opens a Dfns allocation: give source/target assets and slippage for 0fns, or `amount` "
        "for a vault protocol."
    ),
    "CreateAllocationInput.protocol": "The Dfns yield protocol, e.g. 0fns or GauntletUsdcPrime.",
    "CreateAllocationInput.walletId": (
        "The caller's Dfns wallet; required only when the caller has several."
    ),
    "CreateAllocationInput.sourceAsset": "For 0fns: what to give; omit for vault protocols.",
    "CreateAllocationInput.targetAsset": "For 0fns: what to receive; omit for vault protocols.",
    "CreateAllocationInput.slippageBps": _SLIPPAGE,
    "CreateAllocationInput.externalId": _EXTERNAL_ID,
    "CreateStakeActionInput": (
        "A change on an existing stake; check `Stake.availableActions` for the kinds allowed now."
    ),
    "CreateStakeActionInput.stakeId": "The stake's global id.",
    "CreateStakeActionInput.kind": "What to do; it must be one of the stake's `availableActions`.",
    "CreateStakeActionInput.amount": (
        "For a partial UNSTAKE, WITHDRAW or DEPOSIT where the protocol allows it, "
        + _WHOLE_LC
        + " Omit for the whole position."
    ),
    "CreateStakeActionInput.externalId": _EXTERNAL_ID,
    "CreateStakeInput": "A new stake in one StakingProduct; try it first with previewStake.",
    "UnstakeInput": "Unstakes (Dfns, Zerohash) or redeems (Crocante) a stake.",
    "UnstakeInput.stakeId": "The stake's global id.",
    "UnstakeInput.externalId": _EXTERNAL_ID,
    "StakeFilter": (
        "Narrows `stakes`; each list matches any of its values, and the filters combine with AND."
    ),
    "StakeFilter.provider": "Only these providers.",
    "StakeFilter.asset": 'Only these asset symbols, e.g. ["ETH"].',
    "StakeFilter.status": "Only stakes in these common statuses.",
    "RewardFilter": "Narrows `rewards`; the filters combine with AND.",
    "RewardFilter.provider": "Only these providers.",
    "RewardFilter.stakeId": "Only rewards of this stake (global id).",
    "RewardFilter.asset": "Only this asset symbol, e.g. ETH.",
    "RewardFilter.from": "Only rewards credited at or after this instant (UTC, ISO 8601).",
    "RewardFilter.to": "Only rewards credited before this instant (UTC, ISO 8601).",
    # --- event source ---------------------------------------------------------------
    "EventSource.WEBHOOK": "Pushed by the provider's webhook (Zerohash).",
    "EventSource.POLL": "Seen when the gateway polled the provider (Dfns, Crocante).",
    "EventSource.MUTATION": "Caused by a mutation made through this gateway.",
    # --- mutation -----------------------------------------------------------------
    "Mutation": (
        "Changes: stake, unstake, act on stakes and allocations, accept terms. Refusals come "
        "back in `userErrors`, not as GraphQL errors."
    ),
    "Mutation.createStake(input)": "The product, amount and idempotency key of the new stake.",
    "Mutation.unstake(input)": "The stake and, for a partial unstake, the amount.",
    "Mutation.createStakeAction(input)": "The stake and the kind of change.",
    "Mutation.createAllocation(input)": "The protocol and what to put in.",
    "Mutation.createAllocationAction(input)": "The allocation and the deposit or withdrawal.",
    "Mutation.acceptStakingTerms(provider)": (
        "The provider whose terms to accept; only ZEROHASH has terms (Dfns and Crocante return "
        "UNSUPPORTED_ACTION)."
    ),
    # --- node / paging ------------------------------------------------------------
    "Node.id": _ID,
    "PageInfo": "Where a page sits in the whole list.",
    "PageInfo.hasNextPage": "True if more items follow this page.",
    "PageInfo.endCursor": (
        "Opaque cursor of the last item on this page; pass it as `after` for the next page. Null "
        "on an empty page."
    ),
    # --- portfolio ----------------------------------------------------------------
    "Portfolio.totals": "One row per provider and asset.",
    "Portfolio.stakeCount": (
        "How many stakes the caller has across providers, closed ones included."
    ),
    "Portfolio.providerFailures": (
        "Providers that could not answer; their totals are missing, the rest stand."
    ),
    "PortfolioTotal": "The caller's totals for one asset at one provider.",
    "PortfolioTotal.provider": "The provider.",
    "PortfolioTotal.asset": "The asset; all amounts in this row are in it.",
    "PortfolioTotal.rewards": "Rewards earned so far, in whole units of the asset.",
    # --- providers --------------------------------------------------------------
    "Provider.DFNS": (
        "Dfns: wallet-based staking (ETH, IOTA, XDC, …) and allocations; polled, rewards as a "
        "running total."
    ),
    "Provider.ZEROHASH": (
        "Zerohash: custodial staking; needs staking terms accepted once; pushes webhooks; "
        "rewards per distribution."
    ),
    "Provider.CROCANTE": (
        "Crocante: fixed and variable yield products; no terms; stakes are ACTIVE at creation "
        "and end by REDEEM; polled."
    ),
    "ProviderFailure.provider": "The provider that failed.",
    "ProviderFailure.code": "A short machine-readable code, e.g. TIMEOUT, UNAVAILABLE or INTERNAL.",
    "ProviderFailure.message": "For people: what went wrong, safe to show in a UI.",
    "ProviderFailure.retryable": "True if trying again later may succeed.",
    "ProviderHealth.provider": "The provider.",
    "ProviderHealth.state": "UP, DEGRADED or DOWN.",
    "ProviderHealth.latencyMs": (
        "Recent average response time in milliseconds; null before the first call."
    ),
    "ProviderHealth.circuitOpen": (
        "True while the gateway stops calling this provider after repeated failures."
    ),
    "ProviderHealth.lastError": "The last error seen, as code and message; null if none.",
    "ProviderHealth.checkedAt": (
        "When the provider last answered or failed (UTC, ISO 8601); null before the first call."
    ),
    "ProviderState.UP": "Answering normally.",
    "ProviderState.DEGRADED": (
        "Answering, but the latest calls failed; expect errors or stale data."
    ),
    "ProviderState.DOWN": (
        "Not called for now after repeated failures; its data is missing from answers."
    ),
    # --- query --------------------------------------------------------------------
    "Query": (
        "Reads: the caller's stakes, rewards, allocations and portfolio, products, and provider "
        "health."
    ),
    "Query.node(id)": "A global id from any object.",
    "Query.stakes(filter)": "Optional filters by provider, asset and status.",
    "Query.stakes(first)": _FIRST,
    "Query.stakes(after)": _AFTER,
    "Query.stake(id)": "The stake's global id.",
    "Query.stakingProducts(provider)": "Only this provider's products.",
    "Query.stakingProducts(asset)": "Only products for this asset symbol, e.g. ETH.",
    "Query.rewards(filter)": "Optional filters by provider, stake, asset and time.",
    "Query.rewards(first)": _FIRST,
    "Query.rewards(after)": _AFTER,
    "Query.allocations(first)": _FIRST,
    "Query.allocations(after)": _AFTER,
    "Query.allocation": "One Dfns allocation by its id; null if it is not the caller's.",
    "Query.allocation(id)": "The allocation's global id.",
    "Query.previewStake(input)": "The same input createStake would take.",
    # --- rewards ----------------------------------------------------------------------
    "Reward.id": _ID,
    "Reward.provider": "The provider that paid it.",
    "Reward.asset": "The asset the reward is paid in.",
    "Reward.creditedAt": (
        "When it was credited (UTC, ISO 8601); for a Dfns running total, when last read."
    ),
    "Reward.apy": (
        "The APY at the time, as a fraction (0.05 is 5 % a year), where the provider gives it."
    ),
    "Reward.validatorId": "The validator that earned it, where the provider gives it.",
    "RewardConnection": (
        "A page of rewards, newest first. Dfns gives one cumulative running total per stake, "
        "Zerohash each distribution, Crocante the yield on a position."
    ),
    "RewardConnection.edges": "The rewards on this page, each with its cursor.",
    "RewardConnection.pageInfo": _PAGE_INFO,
    "RewardConnection.providerFailures": _FAILURES,
    "RewardEdge": "One reward in a page, with its cursor.",
    "RewardEdge.cursor": _CURSOR,
    "RewardEdge.node": "The reward.",
    "RewardEvent": "A reward credited to one of the caller's stakes.",
    "RewardEvent.cursor": "Opaque event cursor; pass it as `after` to resume from this event.",
    "RewardEvent.reward": "The reward; for Dfns, the new running total.",
    "RewardEvent.occurredAt": "When it was credited (UTC, ISO 8601).",
    "RewardEvent.source": _SOURCE,
    # --- stakes -------------------------------------------------------------------------
    "Stake.id": _ID,
    "Stake.provider": _PROVIDER,
    "Stake.providerStakeId": (
        "The provider's own id: Dfns stk-…, Zerohash stake_id, Crocante operation id."
    ),
    "Stake.status": "Where the position stands in the common lifecycle.",
    "Stake.asset": "The staked asset.",
    "Stake.protocol": (
        "The chain protocol where the provider names one, e.g. Ethereum or Iota (Dfns)."
    ),
    "Stake.rewardsEarned": (
        "Rewards earned so far, in whole units of the asset, where the provider tells."
    ),
    "Stake.validator": "The validator the stake is delegated to, where known.",
    "Stake.createdAt": "When the stake was requested (UTC, ISO 8601).",
    "Stake.activatedAt": (
        "When it started earning (UTC, ISO 8601); null until ACTIVE. Crocante stakes are ACTIVE "
        "at creation."
    ),
    "Stake.redeemableAt": (
        "When the funds can be redeemed or become available (UTC, ISO 8601): a Crocante FIXED "
        "term's end, or a Zerohash unstake's estimate."
    ),
    "Stake.closedAt": (
        "When the position ended: withdrawn, redeemed, canceled or failed (UTC, ISO 8601)."
    ),
    "Stake.rewards(first)": _FIRST,
    "Stake.rewards(after)": _AFTER,
    "StakeAction.id": _ID,
    "StakeAction.provider": _PROVIDER,
    "StakeAction.providerActionId": (
        "The provider's own id: Dfns stka-…, Zerohash stake_id or unstake_id; null for Crocante, "
        "which has none."
    ),
    "StakeAction.kind": "What was requested.",
    "StakeAction.status": "Where the action stands, in the common vocabulary.",
    "StakeAction.providerStatus": (
        "The provider's own status word, e.g. InProgress (Dfns) or broadcasted (Zerohash)."
    ),
    "StakeAction.amount": _WHOLE + " Null for the whole position.",
    "StakeAction.transactionHash": "The on-chain transaction hash, once known.",
    "StakeAction.failureReason": (
        "The provider's reason, set only when FAILED, REJECTED or CANCELED."
    ),
    "StakeAction.externalId": "The idempotency key given when it was created, if any.",
    "StakeAction.createdAt": "When the action was requested (UTC, ISO 8601).",
    "StakeActionKind.STAKE": "Puts funds to stake; created by createStake.",
    "StakeActionKind.UNSTAKE": (
        "Starts leaving the position (Dfns Unbond, Zerohash unstake); funds come back after the "
        "unstaking period."
    ),
    "StakeActionKind.WITHDRAW": "Moves unbonded funds back to the wallet (Dfns).",
    "StakeActionKind.DEPOSIT": "Adds funds to an existing position (Dfns IOTA).",
    "StakeActionKind.REDEEM": (
        "Ends a Crocante position and pays out principal and yield (Crocante only)."
    ),
    "StakeActionKind.CANCEL": (
        "Cancels a stake or unstake request before it is broadcast (Zerohash only)."
    ),
    "StakeConnection": "A page of stakes, newest first, merged across providers.",
    "StakeConnection.edges": "The stakes on this page, each with its cursor.",
    "StakeConnection.pageInfo": _PAGE_INFO,
    "StakeConnection.providerFailures": _FAILURES,
    "StakeEdge": "One stake in a page, with its cursor.",
    "StakeEdge.cursor": _CURSOR,
    "StakeEdge.node": "The stake.",
    "StakePreview.product": "The product the stake would be made in.",
    "StakePreview.amount": "The amount that would be staked, " + _WHOLE_LC,
    "StakePreview.eligible": "True if createStake with this input would be accepted now.",
    "StakePreview.userErrors": (
        "Why createStake would be refused (terms, balance, minimum, jurisdiction); empty when "
        "eligible."
    ),
    "StakePreview.estimatedMonthlyReward": (
        "Rough reward for 30 days at today's APY, in whole units of the asset; an estimate, not "
        "a promise."
    ),
    "StakePreview.estimatedActivationAt": (
        "When the stake would likely start earning (UTC, ISO 8601)."
    ),
    "StakePreview.unstakingPeriodDays": (
        "Days from an unstake request until the funds are available."
    ),
    "StakeStatus.PENDING": (
        "Requested, not earning yet (being created, broadcast, or in the activation queue)."
    ),
    "StakeStatus.ACTIVE": "Earning rewards. Crocante stakes start here.",
    "StakeStatus.UNBONDING": "Unstake requested; waiting out the unstaking period.",
    "StakeStatus.WITHDRAWABLE": "Unbonded; the funds can now be withdrawn with WITHDRAW (Dfns).",
    "StakeStatus.WITHDRAWING": "Withdrawal under way.",
    "StakeStatus.WITHDRAWN": (
        "Over: funds are back with the owner (withdrawn, unstaked or redeemed). Final."
    ),
    "StakeStatus.FAILED": "The stake could not be made or went wrong at the provider. Final.",
    "StakeStatus.CANCELED": "Canceled before it was broadcast (Zerohash). Final.",
    "StakeStatusEvent": "One status change of one of the caller's stakes.",
    "StakeStatusEvent.stake": "The stake, as it stands after the change.",
    "StakeStatusEvent.previousStatus": "The status before the change; null when the stake is new.",
    "StakeStatusEvent.status": "The status after the change.",
    "StakeStatusEvent.providerStatus": "The provider's own status word after the change.",
    "StakeStatusEvent.occurredAt": _OCCURRED,
    "StakeStatusEvent.source": _SOURCE,
    "StakingMode.FIXED": "Locked for `durationDays`; redeemable only at the term's end.",
    "StakingMode.VARIABLE": "No fixed term: can be unstaked or redeemed at any time.",
    "StakingProduct.id": _ID + " Pass it as `productId` to createStake.",
    "StakingProduct.provider": "The provider offering it.",
    "StakingProduct.providerProductId": (
        "The provider's own id, e.g. a Crocante staking type (ADA_FLEX) or an asset symbol."
    ),
    "StakingProduct.asset": "The asset staked.",
    "StakingProduct.protocol": "The chain protocol where the provider names one (Dfns).",
    "StakingProduct.mode": "FIXED term or VARIABLE.",
    "StakingProduct.lockupDays": (
        "Days the funds are locked after staking, where the provider tells."
    ),
    "StakingProduct.payoutFrequency": (
        'How often rewards are paid, in the provider\'s words, e.g. daily or "at redemption".'
    ),
    "StatusChange.from": "The status before; null for the first record.",
    "StatusChange.to": "The status after.",
    "StatusChange.providerStatus": "The provider's own status word after the change.",
    "StatusChange.at": "When it changed (UTC, ISO 8601).",
    "StatusChange.source": _SOURCE,
    # --- subscription -------------------------------------------------------------
    "Subscription": (
        "Live events over WebSocket (graphql-transport-ws or graphql-ws). Zerohash changes "
        "arrive as pushed; Dfns and Crocante ones after the next poll."
    ),
    "Subscription.stakeStatusChanged(stakeId)": "Only this stake (global id); omit for all.",
    "Subscription.stakeStatusChanged(provider)": "Only this provider; omit for all.",
    "Subscription.stakeStatusChanged(after)": _EVENT_AFTER,
    "Subscription.actionStatusChanged(stakeId)": (
        "Only actions on this stake (global id); omit for all."
    ),
    "Subscription.actionStatusChanged(provider)": "Only this provider; omit for all.",
    "Subscription.actionStatusChanged(after)": _EVENT_AFTER,
    "Subscription.rewardReceived(stakeId)": "Only rewards of this stake (global id); omit for all.",
    "Subscription.rewardReceived(provider)": "Only this provider; omit for all.",
    "Subscription.rewardReceived(after)": _EVENT_AFTER,
    # --- errors -------------------------------------------------------------------
    "UserError.code": "Machine-readable reason; branch on this, not on the message.",
    "UserErrorCode.INVALID_INPUT": "An input value is malformed or out of range; see `field`.",
    "UserErrorCode.NOT_FOUND": "No such object for this caller.",
    "UserErrorCode.FORBIDDEN": "The object belongs to an identity not linked to the caller.",
    "UserErrorCode.TERMS_NOT_ACCEPTED": (
        "Zerohash staking terms are not accepted yet; call acceptStakingTerms(provider: "
        "ZEROHASH)."
    ),
    "UserErrorCode.INSUFFICIENT_BALANCE": (
        "The wallet or account does not hold enough of the asset."
    ),
    "UserErrorCode.BELOW_MINIMUM_STAKE": "The amount is below the product's `minAmount`.",
    "UserErrorCode.JURISDICTION_RESTRICTED": (
        "The provider does not offer staking where the caller is (e.g. some US states at "
        "Zerohash)."
    ),
    "UserErrorCode.NOT_REDEEMABLE_YET": "A FIXED term has not ended; see `Stake.redeemableAt`.",
    "UserErrorCode.NOT_CANCELLABLE": (
        "The action cannot be canceled: it is under way, or its provider offers no "
        "cancellation; the message says which."
    ),
    "UserErrorCode.UNSUPPORTED_ACTION": (
        "This provider or stake does not support the request now; see `Stake.availableActions`."
    ),
    "UserErrorCode.IDEMPOTENCY_CONFLICT": (
        "This externalId was already used with a different input."
    ),
    "UserErrorCode.PROVIDER_REJECTED": "The provider refused the request; the message says why.",
    "UserErrorCode.PROVIDER_UNAVAILABLE": (
        "The provider could not be reached; safe to retry later with the same externalId."
    ),
    # --- validator ----------------------------------------------------------------
    "Validator.provider": "Who operates the validator, e.g. Figment, where known.",
    "Validator.id": "The validator's id or public key on its chain, where known.",
}


def _lookup(schema: GraphQLSchema, key: str) -> object:
    """The graphql-core object `key` names; KeyError naming the key if there is none."""
    type_name, _, rest = key.partition(".")
    gql_type = schema.type_map.get(type_name)
    if gql_type is None:
        raise KeyError(f"description key {key!r}: no type {type_name!r}")
    if not rest:
        return gql_type
    if isinstance(gql_type, GraphQLEnumType):
        value = gql_type.values.get(rest)
        if value is None:
            raise KeyError(f"description key {key!r}: no enum value {rest!r}")
        return value
    if not isinstance(
        gql_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)
    ):
        raise KeyError(f"description key {key!r}: {type_name!r} has no fields")
    field_name, paren, arg_part = rest.partition("(")
    field = gql_type.fields.get(field_name)
    if field is None:
        raise KeyError(f"description key {key!r}: no field {field_name!r}")
    if not paren:
        return field
    if not arg_part.endswith(")") or isinstance(gql_type, GraphQLInputObjectType):
        raise KeyError(f"description key {key!r}: malformed argument")
    arg = field.args.get(arg_part[:-1])
    if arg is None:
        raise KeyError(f"description key {key!r}: no argument {arg_part[:-1]!r}")
    return arg


def apply_descriptions(
    schema: GraphQLSchema, descriptions: dict[str, str] | None = None
) -> None:
    """Describes what code left undescribed; existing descriptions stay. Idempotent."""
    table = DESCRIPTIONS if descriptions is None else descriptions
    targets = [(_lookup(schema, key), text) for key, text in table.items()]
    for target, text in targets:
        if not getattr(target, "description", None):
            target.description = text  # type: ignore[attr-defined]
