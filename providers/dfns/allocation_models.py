"""Dfns allocation JSON as typed values, parsed strictly (PROVIDERS.md 1.4).."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from providers.dfns.fields import Fields, protocol_error
from providers.dfns.models import DfnsRequester, parse_requester

ASSET_KINDS = frozenset({"Native", "Erc20", "Spl"})
ALLOCATION_ACTION_KINDS = frozenset({"Deposit", "Withdraw"})
# Token decimals beyond this are not a real asset.
MAX_DECIMALS = 36


@dataclass(frozen=True, slots=True)
class DfnsAssetAmount:
    kind: str
    amount: str
    network: str
    decimals: int
    contract: str | None = None
    mint: str | None = None
    name: str | None = None
    symbol: str | None = None


@dataclass(frozen=True, slots=True)
class DfnsSwapAsset:
    """A 0fns `sourceAsset`/`targetAsset` as sent in a request body (no metadata)."""

    kind: str
    contract: str
    amount: str


@dataclass(frozen=True, slots=True)
class DfnsAllocationAction:
    id: str
    allocation_id: str
    kind: str
    status: str
    requester: DfnsRequester
    request_body: Mapping[str, Any]
    date_created: datetime
    external_id: str | None = None
    failure_reason: str | None = None
    amount: str | None = None
    source_asset: DfnsSwapAsset | None = None
    target_asset: DfnsSwapAsset | None = None
    slippage_bps: int | None = None


@dataclass(frozen=True, slots=True)
class DfnsAllocation:
    id: str
    wallet_id: str
    protocol: str
    amount: DfnsAssetAmount
    rewards: DfnsAssetAmount
    date_created: datetime
    provider: str | None = None
    # None when the response carried no actions (list items).
    actions: tuple[DfnsAllocationAction, ...] | None = None


def parse_asset_amount(f: Fields) -> DfnsAssetAmount:
    kind = f.one_of("kind", ASSET_KINDS)
    meta = f.obj("metadata")
    decimals = meta.opt_int("decimals")
    if decimals is None or not 0 <= decimals <= MAX_DECIMALS:
        raise protocol_error(f"{f.where}.metadata.decimals is missing or absurd")
    return DfnsAssetAmount(
        kind=kind,
        amount=f.min_units("amount"),
        network=meta.text("network"),
        decimals=decimals,
        contract=f.text("contract") if kind == "Erc20" else None,
        mint=f.text("mint") if kind == "Spl" else None,
        name=meta.opt_text("name"),
        symbol=meta.opt_text("symbol"),
    )


def _swap_asset(f: Fields | None) -> DfnsSwapAsset | None:
    if f is None:
        return None
    return DfnsSwapAsset(
        kind=f.text("kind"), contract=f.text("contract"), amount=f.min_units("amount")
    )


def parse_allocation_action(
    value: object, where: str = "action"
) -> DfnsAllocationAction:
    f = Fields(value, where)
    body = f.obj("requestBody")
    return DfnsAllocationAction(
        id=f.text("id"),
        allocation_id=f.text("allocationId"),
        kind=f.one_of("kind", ALLOCATION_ACTION_KINDS),
        status=f.text("status"),
        requester=parse_requester(f.obj("requester")),
        request_body=body.raw,
        date_created=f.timestamp("dateCreated"),
        external_id=f.opt_text("externalId") or body.opt_text("externalId"),
        failure_reason=f.opt_text("failureReason"),
        amount=body.opt_min_units("amount"),
        source_asset=_swap_asset(body.opt_obj("sourceAsset")),
        target_asset=_swap_asset(body.opt_obj("targetAsset")),
        slippage_bps=body.opt_int("slippageBps"),
    )


def parse_allocation(value: object, where: str = "allocation") -> DfnsAllocation:
    f = Fields(value, where)
    actions = None
    if f.raw.get("actions") is not None:
        actions = tuple(
            parse_allocation_action(a, f"{where}.actions[{i}]")
            for i, a in enumerate(f.array("actions"))
        )
    return DfnsAllocation(
        id=f.text("id"),
        wallet_id=f.text("walletId"),
        protocol=f.text("protocol"),
        amount=parse_asset_amount(f.obj("amount")),
        rewards=parse_asset_amount(f.obj("rewards")),
        date_created=f.timestamp("dateCreated"),
        provider=f.opt_text("provider"),
        actions=actions,
    )
