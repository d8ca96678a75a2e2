"""The create-stake and create-stake-action bodies, per protocol (PROVIDERS.md 1.3)."""

import re
from dataclasses import dataclass
from typing import Any

from providers.dfns.sandbox.body import WALLET_ID, Body
from providers.dfns.sandbox.errors import bad_request
from providers.dfns.sandbox.protocols import STAKING

IOTA_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{64}$")
XDC_ADDRESS = re.compile(r"^(xdc|0x)[0-9a-fA-F]{40}$")
BABYLON_MAX_DURATION = 64_000

_COMMON = frozenset({"protocol", "walletId", "amount", "externalId"})
_CREATE_FIELDS = {
    "Ethereum": _COMMON | {"provider"},
    "Iota": _COMMON | {"validator", "lockedIotas"},
    "Babylon": _COMMON | {"provider", "duration"},
    "Xdc": _COMMON | {"candidate"},
}
# The protocols the newest create-stake and create-action bodies take.
CURRENT_PROTOCOLS = frozenset({"Ethereum", "Iota", "Xdc"})
# Which action bodies carry an amount, per (protocol, kind).
_ACTION_FIELDS = {
    ("Iota", "Withdraw"): frozenset({"protocol", "kind", "amount", "externalId"}),
    ("Iota", "Deposit"): frozenset(
        {"protocol", "kind", "amount", "lockedIotas", "externalId"}
    ),
    ("Ethereum", "Withdraw"): frozenset({"protocol", "kind", "externalId"}),
    ("Xdc", "Unbond"): frozenset({"protocol", "kind", "externalId"}),
    ("Xdc", "Withdraw"): frozenset({"protocol", "kind", "externalId"}),
    ("Babylon", "Unbond"): frozenset({"protocol", "kind", "externalId"}),
    ("Babylon", "Withdraw"): frozenset({"protocol", "kind", "externalId"}),
}


@dataclass(frozen=True, slots=True)
class StakeRequest:
    body: dict[str, Any]
    protocol: str
    wallet_id: str
    amount: int
    external_id: str | None
    validator: str | None = None
    locked: bool = False
    duration: int | None = None


@dataclass(frozen=True, slots=True)
class StakeActionRequest:
    body: dict[str, Any]
    kind: str
    amount: int | None
    external_id: str | None
    locked: bool = False


def _protocol(raw: object, legacy: bool) -> str:
    if not isinstance(raw, dict):
        raise bad_request("body must be a JSON object")
    protocol = raw.get("protocol")
    known = STAKING if legacy else CURRENT_PROTOCOLS
    if protocol not in known:
        raise bad_request(f"body.protocol must be one of: {', '.join(sorted(known))}")
    assert isinstance(protocol, str)
    return protocol


def parse_create_stake(raw: object, *, legacy: bool = False) -> StakeRequest:
    """`legacy`: also the older bodies (Babylon), for seeding history only."""
    protocol = _protocol(raw, legacy)
    body = Body(raw, _CREATE_FIELDS[protocol])
    wallet_id = body.text("walletId", WALLET_ID)
    if protocol in ("Ethereum", "Babylon"):
        body.literal("provider", frozenset({"Figment"}))
    validator = None
    if protocol == "Iota":
        validator = body.text("validator", IOTA_ADDRESS)
        if "lockedIotas" in body.raw:
            body.string_list("lockedIotas", IOTA_ADDRESS)
    if protocol == "Xdc":
        validator = body.text("candidate", XDC_ADDRESS)
    duration = None
    if protocol == "Babylon":
        duration = body.integer("duration", 1, BABYLON_MAX_DURATION)
    return StakeRequest(
        body=body.raw,
        protocol=protocol,
        wallet_id=wallet_id,
        amount=body.amount(),
        external_id=body.external_id(),
        validator=validator,
        locked="lockedIotas" in body.raw,
        duration=duration,
    )


def parse_stake_action(
    raw: object, stake_protocol: str, *, legacy: bool = False
) -> StakeActionRequest:
    protocol = _protocol(raw, legacy)
    if protocol != stake_protocol:
        raise bad_request(
            f"body.protocol must be {stake_protocol}, the stake's protocol"
        )
    assert isinstance(raw, dict)
    kinds = sorted(k for p, k in _ACTION_FIELDS if p == protocol)
    kind = raw.get("kind")
    if not isinstance(kind, str) or (protocol, kind) not in _ACTION_FIELDS:
        raise bad_request(
            f"body.kind must be one of: {', '.join(kinds)} for {protocol}"
        )
    body = Body(raw, _ACTION_FIELDS[(protocol, kind)])
    amount = body.amount() if "amount" in _ACTION_FIELDS[(protocol, kind)] else None
    if "lockedIotas" in body.raw:
        body.string_list("lockedIotas", IOTA_ADDRESS)
    return StakeActionRequest(
        body=body.raw,
        kind=kind,
        amount=amount,
        external_id=body.external_id(),
        locked="lockedIotas" in body.raw,
    )
