"""The create-allocation and allocation-action bodies (PROVIDERS.md 1.4, seed 001).

0fns trades `sourceAsset` for `targetAsset` within `slippageBps`; vault protocols take
an `amount` of their underlying token.
"""

from dataclasses import dataclass
from typing import Any

from providers.dfns.sandbox.body import WALLET_ID, Body
from providers.dfns.sandbox.errors import bad_request
from providers.dfns.sandbox.protocols import ALLOCATIONS, AllocationRules

MAX_SLIPPAGE_BPS = 10_000
_ASSET_FIELDS = frozenset({"kind", "contract", "amount"})
_SWAP_FIELDS = frozenset({"sourceAsset", "targetAsset", "slippageBps"})
_CREATE_COMMON = frozenset(
    {"walletId", "protocol", "externalId", "provider", "feeSponsorId"}
)
_ACTION_COMMON = frozenset({"kind", "externalId", "feeSponsorId"})


@dataclass(frozen=True, slots=True)
class SwapLeg:
    contract: str
    amount: int


@dataclass(frozen=True, slots=True)
class Swap:
    source: SwapLeg
    target: SwapLeg
    slippage_bps: int


@dataclass(frozen=True, slots=True)
class Movement:
    """What an allocation body asks to move: a 0fns swap or a vault amount."""

    body: dict[str, Any]
    external_id: str | None
    swap: Swap | None = None
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class AllocationRequest:
    wallet_id: str
    rules: AllocationRules
    movement: Movement


@dataclass(frozen=True, slots=True)
class AllocationActionRequest:
    kind: str
    movement: Movement


def _leg(body: Body, key: str) -> SwapLeg:
    leg = body.obj(key, _ASSET_FIELDS)
    leg.literal("kind", frozenset({"Erc20"}))
    return SwapLeg(contract=leg.text("contract"), amount=leg.amount())


def _movement(body: Body, rules: AllocationRules) -> Movement:
    if "feeSponsorId" in body.raw:
        body.text("feeSponsorId")
    if rules.quote is None:
        return Movement(body.raw, body.external_id(), amount=body.amount())
    swap = Swap(
        source=_leg(body, "sourceAsset"),
        target=_leg(body, "targetAsset"),
        slippage_bps=body.integer("slippageBps", 0, MAX_SLIPPAGE_BPS),
    )
    return Movement(body.raw, body.external_id(), swap=swap)


def _fields_for(rules: AllocationRules) -> frozenset[str]:
    return _SWAP_FIELDS if rules.quote is not None else frozenset({"amount"})


def parse_create_allocation(raw: object) -> AllocationRequest:
    protocol = raw.get("protocol") if isinstance(raw, dict) else None
    if protocol not in ALLOCATIONS:
        raise bad_request(f"body.protocol must be one of: {', '.join(ALLOCATIONS)}")
    assert isinstance(protocol, str)
    rules = ALLOCATIONS[protocol]
    body = Body(raw, _CREATE_COMMON | _fields_for(rules))
    wallet_id = body.text("walletId", WALLET_ID)
    if "provider" in body.raw:
        body.literal("provider", frozenset({rules.provider}))
    return AllocationRequest(wallet_id, rules, _movement(body, rules))


def parse_allocation_action(
    raw: object, rules: AllocationRules
) -> AllocationActionRequest:
    body = Body(raw, _ACTION_COMMON | _fields_for(rules))
    kind = body.literal("kind", frozenset({"Deposit", "Withdraw"}))
    return AllocationActionRequest(kind, _movement(body, rules))
