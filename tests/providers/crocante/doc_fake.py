"""A second Crocante, written from ../shared/PROVIDERS.md section 3 and seed 003 alone
(not from the sandbox): a handler for `httpx.MockTransport` that checks the wire.

What it holds the adapter to:
- PROVIDERS.md 3: the backend is reached with a Bearer token from `POST {EP_AUTH_LOGIN}`
  with exactly `{username, password?, totpCode?}`, answered `{data: {token}}`; the
  endpoints are deployment config (`EP_STAKING_TYPE`, `EP_STAKING`, `EP_STAKING_ACTIVE`,
  `EP_STAKING_REDEEMED`, `EP_STAKING_REDEEM` with `%OPID`), so the fake serves the paths
  it is given, under the root it is given; answers are `{data, status}`.
- Seed 003: create takes exactly `{typeId, amount}` (amount a decimal string, at least
  the type's `minAmount`) and answers `{data: {}, status: 201}` with no id; the lists
  take `page` (0-based) and `size`; redeem takes `{}` on the operation's id and answers
  `{data: {}, status: 200}`; a redeemed position moves to the redeemed list with
  `operation.closedAt` set; a FIXED one is not redeemable before `redeemableAt`;
  refusals are `{error: "...", status}`.
Positions are written as the seed writes them (`status: "Active"|"Redeemed"`,
`type: "STAKE"`, `amount` the principal beside `yield`).
Anything else is refused (400/401/404) and recorded in `violations`.
"""

import json
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import httpx

AMOUNT = re.compile(r"^\d+(\.\d+)?$")
TOTP = re.compile(r"^\d{6}$")
OPENED = "2026-01-15T10:30:00Z"
CLOSED = "2026-03-02T12:00:00Z"

# The seed's staking types.
TYPES: list[dict[str, Any]] = [
    {
        "id": "stake_btc_fixed_90",
        "currencyId": "BTC",
        "mode": "FIXED",
        "apy": "0.08",
        "minAmount": "0.001",
        "durationDays": 90,
    },
    {
        "id": "stake_eth_variable",
        "currencyId": "ETH",
        "mode": "VARIABLE",
        "apy": "0.05",
        "minAmount": "0.1",
    },
]


@dataclass
class Paths:
    """Each endpoint as the deployment configures it (relative to the root)."""

    login: str = "auth/login"
    types: str = "staking/types"
    create: str = "staking"
    active: str = "staking/active"
    redeemed: str = "staking/redeemed"
    redeem: str = "staking/%OPID/redeem"


@dataclass
class DocFake:
    username: str
    password: str
    root: str = "/v1"
    paths: Paths = field(default_factory=Paths)
    needs_totp: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    positions: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        try:
            return self._route(request)
        except _Refused as refused:
            self.violations.append(f"{refused.status} {refused.message}")
            return httpx.Response(
                refused.status,
                json={"error": refused.message, "status": refused.status},
            )

    def _path(self, name: str) -> str:
        return f"{self.root}/{getattr(self.paths, name)}"

    def _route(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, unquote(request.url.path)
        if method == "POST" and path == self._path("login"):
            return self._login(request)
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            raise _Refused(401, "Unauthorized")
        if method == "GET" and path == self._path("types"):
            return _ok(TYPES)
        if method == "POST" and path == self._path("create"):
            return self._create(_object(request))
        if method == "GET" and path in (self._path("active"), self._path("redeemed")):
            return self._list(request, closed=path == self._path("redeemed"))
        before, _, after = self._path("redeem").partition("%OPID")
        if method == "POST" and path.startswith(before) and path.endswith(after):
            op_id = path[len(before) : len(path) - len(after)]
            return self._redeem(op_id, _object(request))
        raise _Refused(404, f"no endpoint {method} {path}")

    def _login(self, request: httpx.Request) -> httpx.Response:
        if "Authorization" in request.headers:
            raise _Refused(400, "login carries no Authorization")
        body = _object(request)
        allowed = {"username", "password", "totpCode"}
        if not {"username"} <= set(body) <= allowed:
            raise _Refused(400, f"login fields {sorted(body)}")
        if body["username"] != self.username or body.get("password") != self.password:
            raise _Refused(403, "CREDENTIALS_INVALID")
        code = body.get("totpCode")
        if self.needs_totp and not (isinstance(code, str) and TOTP.match(code)):
            raise _Refused(401, "TOTP_MISSING")
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return _ok({"token": token})

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        if set(body) != {"typeId", "amount"}:
            raise _Refused(400, f"create fields {sorted(body)}")
        kind = next((t for t in TYPES if t["id"] == body["typeId"]), None)
        if kind is None:
            raise _Refused(404, "Invalid typeId")
        amount = body["amount"]
        if not isinstance(amount, str) or not AMOUNT.match(amount):
            raise _Refused(400, "amount is a decimal string")
        if Decimal(amount) < Decimal(kind["minAmount"]):
            raise _Refused(400, "Amount below minimum")
        op_id = f"op_stake_{len(self.positions) + 1:06d}"
        fixed = kind["mode"] == "FIXED"
        self.positions[op_id] = {
            "typeId": kind["id"],
            "startsAt": OPENED,
            "redeemableAt": "2026-04-15T10:30:00Z" if fixed else None,
            "initialAmount": amount,
            "initialAPY": kind["apy"],
            "operation": {
                "id": op_id,
                "creatorId": "user_123",
                "ownerId": "user_123",
                "openedAt": OPENED,
                "updatedAt": OPENED,
                "closedAt": None,
                "status": "Active",
                "type": "STAKE",
                "fullType": "STAKE_FIXED" if fixed else "STAKE_VARIABLE",
            },
            "type": kind,
            "amount": amount,
            "yield": "0.25",
            "estRedeemYield": "0.5",
            "apy": kind["apy"],
        }
        return _ok({}, 201)

    def _list(self, request: httpx.Request, closed: bool) -> httpx.Response:
        params = request.url.params
        if set(params) != {"page", "size"}:
            raise _Refused(400, f"list takes page and size, got {sorted(params)}")
        page, size = params["page"], params["size"]
        if not (page.isdigit() and size.isdigit() and int(size) > 0):
            raise _Refused(400, "page (0-based) and size are counts")
        mine = [
            p
            for p in self.positions.values()
            if (p["operation"]["closedAt"] is not None) == closed
        ]
        start = int(page) * int(size)
        return _ok(mine[start : start + int(size)])

    def _redeem(self, op_id: str, body: dict[str, Any]) -> httpx.Response:
        if body != {}:
            raise _Refused(400, "redeem takes {}")
        position = self.positions.get(op_id)
        if position is None:
            raise _Refused(404, "Invalid opId")
        if position["operation"]["status"] != "Active":
            raise _Refused(400, "Stake is not active")
        if position["redeemableAt"] is not None and position["redeemableAt"] > CLOSED:
            raise _Refused(400, "Not redeemable yet")
        position["operation"] |= {
            "status": "Redeemed",
            "closedAt": CLOSED,
            "updatedAt": CLOSED,
        }
        return _ok({})


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _ok(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": data, "status": status})


def _object(request: httpx.Request) -> dict[str, Any]:
    if request.headers.get("Content-Type", "").split(";")[0] != "application/json":
        raise _Refused(400, "the body is JSON")
    try:
        body = json.loads(request.content)
    except ValueError:
        raise _Refused(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise _Refused(400, "the body is not an object")
    return body
