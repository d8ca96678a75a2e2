"""Dfns staking JSON as typed values, parsed strictly (PROVIDERS.md 1.3, seed 000).

Amounts stay minimum-unit digit strings here; `mapping` turns them into whole units.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from providers.dfns.fields import Fields, protocol_error

T = TypeVar("T")

STAKE_ACTION_KINDS = frozenset({"Stake", "Unbond", "Deposit", "Withdraw"})


@dataclass(frozen=True, slots=True)
class DfnsRequester:
    user_id: str
    token_id: str | None


@dataclass(frozen=True, slots=True)
class DfnsStakeAction:
    id: str
    stake_id: str
    kind: str
    status: str
    requester: DfnsRequester
    request_body: Mapping[str, Any]
    date_created: datetime
    amount: str | None = None
    external_id: str | None = None
    transaction_hash: str | None = None
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True)
class DfnsStake:
    id: str
    wallet_id: str
    status: str
    protocol: str
    requester: DfnsRequester
    request_body: Mapping[str, Any]
    date_created: datetime
    provider: str | None = None
    # requestBody.amount (what was asked) and data.amount (what is staked, Iota/Xdc).
    amount: str | None = None
    data_amount: str | None = None
    validator: str | None = None
    external_id: str | None = None
    # None when the response carried no actions (list items).
    actions: tuple[DfnsStakeAction, ...] | None = None


@dataclass(frozen=True, slots=True)
class DfnsRewards:
    symbol: str
    balance: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_page_token: str | None


def parse_requester(fields: Fields) -> DfnsRequester:
    return DfnsRequester(
        user_id=fields.text("userId"), token_id=fields.opt_text("tokenId")
    )


def parse_stake_action(value: object, where: str = "action") -> DfnsStakeAction:
    f = Fields(value, where)
    body = f.obj("requestBody")
    return DfnsStakeAction(
        id=f.text("id"),
        stake_id=f.text("stakeId"),
        kind=f.one_of("kind", STAKE_ACTION_KINDS),
        status=f.text("status"),
        requester=parse_requester(f.obj("requester")),
        request_body=body.raw,
        date_created=f.timestamp("dateCreated"),
        amount=body.opt_min_units("amount"),
        external_id=f.opt_text("externalId") or body.opt_text("externalId"),
        transaction_hash=f.opt_text("transactionHash"),
        failure_reason=f.opt_text("failureReason"),
    )


def _protocol_data(protocol: str, data: Fields | None) -> tuple[str | None, str | None]:
    """(staked amount, validator) from the protocol-specific `data`, where given."""
    if data is None:
        return None, None
    if protocol == "Ethereum":
        validator = data.opt_obj("validator")
        return None, validator.text("pubkey") if validator else None
    if protocol == "Iota":
        return data.opt_min_units("amount"), data.opt_text("validator")
    if protocol == "Xdc":
        return data.opt_min_units("amount"), data.opt_text("candidate")
    if protocol == "Babylon":
        providers = data.opt_array("finalityProviders")
        first = providers[0] if providers else None
        if first is not None and not isinstance(first, str):
            raise protocol_error("stake.data.finalityProviders holds a non-string")
        return None, first
    return None, None


def parse_stake(value: object, where: str = "stake") -> DfnsStake:
    f = Fields(value, where)
    protocol = f.text("protocol")
    body = f.obj("requestBody")
    data_amount, validator = _protocol_data(protocol, f.opt_obj("data"))
    raw_actions = f.raw.get("actions")
    actions = None
    if raw_actions is not None:
        actions = tuple(
            parse_stake_action(a, f"{where}.actions[{i}]")
            for i, a in enumerate(f.array("actions"))
        )
    return DfnsStake(
        id=f.text("id"),
        wallet_id=f.text("walletId"),
        status=f.text("status"),
        protocol=protocol,
        requester=parse_requester(f.obj("requester")),
        request_body=body.raw,
        date_created=f.timestamp("dateCreated"),
        provider=f.opt_text("provider"),
        amount=body.opt_min_units("amount"),
        data_amount=data_amount,
        validator=validator or body.opt_text("validator") or body.opt_text("candidate"),
        external_id=body.opt_text("externalId"),
        actions=actions,
    )


def of_wallets(wallets: frozenset[str]) -> Callable[[object], bool]:
    """Keeps the list items of these wallets. Dfns lists the whole organisation, and
    parsing every other wallet's stakes was most of a request's cost (bench S2, 50
    clients: 110 stakes, 3.9 ms). An item whose walletId cannot be read is kept, so
    that parsing it fails as it always did."""

    def wanted(raw: object) -> bool:
        wallet = raw.get("walletId") if isinstance(raw, dict) else None
        return not isinstance(wallet, str) or wallet in wallets

    return wanted


def parse_rewards(value: object) -> DfnsRewards:
    f = Fields(value, "rewards")
    balance = f.text("balance").strip()
    return DfnsRewards(symbol=f.text("symbol"), balance=balance)


def parse_page(
    value: object,
    item: Callable[[object, str], T],
    what: str,
    wanted: Callable[[object], bool] | None = None,
) -> Page[T]:
    """A page of `what`; with `wanted`, only the items it keeps are parsed."""
    f = Fields(value, what)
    items = tuple(
        item(v, f"{what}.items[{i}]")
        for i, v in enumerate(f.array("items"))
        if wanted is None or wanted(v)
    )
    token = f.opt_text("nextPageToken")
    return Page(items=items, next_page_token=token or None)
