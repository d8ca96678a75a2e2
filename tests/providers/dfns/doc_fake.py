"""A second Dfns, written from ../shared/PROVIDERS.md section 1 (and seed 000) alone, not
from the sandbox: a handler for `httpx.MockTransport` that checks the wire.

What it holds the adapter to, with the section each rule comes from:
- 1.1: `Authorization: Bearer <token>` on every call.
- 1.2: every write is preceded by `POST /auth/action/init` {userActionPayload (the exact
  body string), userActionHttpMethod, userActionHttpPath (no host, no query),
  userActionServerKind?} and `POST /auth/action` {challengeIdentifier, firstFactor:
  {kind: "Key", credentialAssertion: {credId, clientData, signature}}}, base64url
  without padding; clientData is the compact JSON {type: "key.get", challenge, origin,
  crossOrigin: false}, signed by the credential (EdDSA, ECDSA-SHA256 DER, RSA PKCS#1
  v1.5 SHA-256); the `userAction` answered is sent as `X-DFNS-USERACTION`, once, on the
  very request it was bound to.
- 1.3: the create-stake body per protocol (Ethereum: provider Figment; Iota: validator,
  lockedIotas?; Xdc: candidate; no Babylon in the newest union), the create-action body
  per protocol and kind, amounts `^\\d+$`, `externalId?`; ids `stk-`, `stka-`, `wa-`
  as the patterns say; writes answer the full stake with its `actions[]`.
- 1.5: `limit` 1-500 and `paginationToken`, pages `{items, nextPageToken?}`; the error
  body `{error: {id, status, message, details}}`; 409 with `details.duplicate` on an
  externalId reused for another body.
Anything else is answered 400 (or 401/403 for auth) and recorded in `violations`.

Where PROVIDERS.md leaves a choice open, the fake takes the harder one: listed stakes
omit `actions` (as 1.4 says of allocations), a stake in `no_rewards` answers its
rewards call with an empty body (the SDK's `| undefined`), and `hold_writes` answers a
write 202 with no body (old SDK `PolicyPendingError`), the action then waiting in
`PendingPolicyApproval`.
"""

import base64
import json
import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

DIGITS = re.compile(r"^\d+$")
B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
WALLET_ID = re.compile(r"^wa-[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{14,16}$")
STAKE_ID = re.compile(r"^stk-[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{14,16}$")
STAMP = "2026-03-02T12:00:00.000Z"
ORIGIN = "https://app.dfns.io"

# 1.3: the newest create-stake union, (required, optional) fields per protocol.
CREATE_FIELDS = {
    "Ethereum": ({"protocol", "walletId", "provider", "amount"}, {"externalId"}),
    "Iota": (
        {"protocol", "walletId", "validator", "amount"},
        {"externalId", "lockedIotas"},
    ),
    "Xdc": ({"protocol", "walletId", "candidate", "amount"}, {"externalId"}),
}
# 1.3: the newest create-action union, per (protocol, kind).
ACTION_FIELDS = {
    ("Iota", "Withdraw"): ({"protocol", "kind", "amount"}, {"externalId"}),
    ("Iota", "Deposit"): (
        {"protocol", "kind", "amount"},
        {"externalId", "lockedIotas"},
    ),
    ("Ethereum", "Withdraw"): ({"protocol", "kind"}, {"externalId"}),
    ("Xdc", "Withdraw"): ({"protocol", "kind"}, {"externalId"}),
    ("Xdc", "Unbond"): ({"protocol", "kind"}, {"externalId"}),
}
SYMBOLS = {"Ethereum": "ETH", "Iota": "IOTA", "Xdc": "XDC"}
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


def dfns_id(prefix: str) -> str:
    def chunk(n: int) -> str:
        return "".join(
            secrets.choice(string.ascii_lowercase + string.digits) for _ in range(n)
        )

    return f"{prefix}-{chunk(5)}-{chunk(5)}-{chunk(16)}"


def unb64url(text: object) -> bytes | None:
    if not isinstance(text, str) or not B64URL.match(text):
        return None  # padding ("=") or the standard alphabet are not base64url
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(key: PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


class Refused(Exception):
    def __init__(self, status: int, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or {}


@dataclass
class DocFake:
    token: str
    cred_id: str
    public_key: PublicKey
    # The API root's path as the client sees it (a proxy prefix); Dfns sees none.
    root: str = ""
    list_carries_actions: bool = False
    hold_writes: bool = False
    no_rewards: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    stakes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _challenges: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    _user_actions: dict[str, tuple[str, str, str] | None] = field(default_factory=dict)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        try:
            return self._route(request)
        except Refused as refused:
            self.violations.append(f"{refused.status} {refused.message}")
            error = {
                "id": dfns_id("err"),
                "status": refused.status,
                "message": refused.message,
                "details": refused.details,
            }
            return httpx.Response(refused.status, json={"error": error})

    # The wire

    def _route(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            raise Refused(401, "Authorization: Bearer token missing or wrong")
        path = request.url.path
        if not path.startswith(self.root + "/"):
            raise Refused(404, f"{path} is outside the API root")
        path = path[len(self.root) :]
        method = request.method
        if path == "/auth/action/init" and method == "POST":
            return self._init(self._object(request))
        if path == "/auth/action" and method == "POST":
            return self._complete(self._object(request))
        if method != "GET":
            self._consume(request, path)
        parts = path.strip("/").split("/")
        if parts[:2] != ["staking", "stakes"]:
            raise Refused(404, f"no route {method} {path}")
        if len(parts) == 2:
            if method == "POST":
                return self._create(self._object(request))
            return self._page(request, list(self.stakes.values()), listing=True)
        stake = self.stakes.get(parts[2]) if STAKE_ID.match(parts[2]) else None
        if stake is None:
            raise Refused(404, f"stake {parts[2]} not found (or not stk-…)")
        if len(parts) == 3 and method == "GET":
            return httpx.Response(200, json=stake)
        if parts[3:] == ["actions"] and method == "POST":
            return self._act(stake, self._object(request))
        if parts[3:] == ["actions"]:
            return self._page(request, list(reversed(stake["actions"])))
        if parts[3:] == ["rewards"] and method == "GET":
            if stake["id"] in self.no_rewards:
                return httpx.Response(200)
            symbol = SYMBOLS[stake["protocol"]]
            return httpx.Response(200, json={"symbol": symbol, "balance": "7000"})
        raise Refused(404, f"no route {method} {path}")

    def _object(self, request: httpx.Request) -> dict[str, Any]:
        try:
            body = json.loads(request.content)
        except ValueError:
            raise Refused(400, "body is not JSON") from None
        if not isinstance(body, dict):
            raise Refused(400, "body is not a JSON object")
        return body

    def _fields(
        self, body: dict[str, Any], spec: tuple[set[str], set[str]], what: str
    ) -> None:
        required, optional = spec
        missing = required - set(body)
        extra = set(body) - required - optional
        if missing or extra:
            raise Refused(
                400, f"{what}: missing {sorted(missing)}, extra {sorted(extra)}"
            )
        if "amount" in body and not (
            isinstance(body["amount"], str) and DIGITS.match(body["amount"])
        ):
            raise Refused(400, f"{what}: amount is not a minimum-unit digit string")
        if "externalId" in body and not isinstance(body["externalId"], str):
            raise Refused(400, f"{what}: externalId is not a string")

    # 1.2 User Action Signing

    def _init(self, body: dict[str, Any]) -> httpx.Response:
        self._fields(
            body,
            (
                {"userActionPayload", "userActionHttpMethod", "userActionHttpPath"},
                {"userActionServerKind"},
            ),
            "init",
        )
        method, path = body["userActionHttpMethod"], body["userActionHttpPath"]
        if method not in ("POST", "PUT", "DELETE", "GET"):
            raise Refused(400, "userActionHttpMethod")
        if not isinstance(path, str) or not path.startswith("/") or "?" in path:
            raise Refused(400, "userActionHttpPath: a path, no host, no query")
        if body.get("userActionServerKind", "Api") != "Api":
            raise Refused(400, "userActionServerKind")
        if not isinstance(body["userActionPayload"], str):
            raise Refused(400, "userActionPayload is the body as a string")
        challenge = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=")
        identifier = ".".join(secrets.token_urlsafe(12) for _ in range(3))  # a JWT
        self._challenges[identifier] = (
            challenge.decode(),
            body["userActionPayload"],
            method,
            path,
        )
        return httpx.Response(
            200,
            json={
                "challenge": challenge.decode(),
                "challengeIdentifier": identifier,
                "allowCredentials": {
                    "key": [{"type": "public-key", "id": self.cred_id}],
                    "passwordProtectedKey": [],
                    "webauthn": [],
                },
                "supportedCredentialKinds": [
                    {"kind": "Key", "factor": "first", "requiresSecondFactor": False}
                ],
            },
        )

    def _complete(self, body: dict[str, Any]) -> httpx.Response:
        self._fields(body, ({"challengeIdentifier", "firstFactor"}, set()), "action")
        bound = self._challenges.pop(body["challengeIdentifier"], None)
        if bound is None:
            raise Refused(401, "unknown or used challengeIdentifier")
        factor = body["firstFactor"]
        if not isinstance(factor, dict) or set(factor) != {
            "kind",
            "credentialAssertion",
        }:
            raise Refused(400, "firstFactor is {kind, credentialAssertion}")
        assertion = factor["credentialAssertion"]
        if factor["kind"] != "Key" or not isinstance(assertion, dict):
            raise Refused(400, "firstFactor.kind is Key")
        if set(assertion) != {"credId", "clientData", "signature"}:
            raise Refused(400, "credentialAssertion is {credId, clientData, signature}")
        if assertion["credId"] != self.cred_id:
            raise Refused(401, "credId is not an allowed credential")
        raw, signature = (
            unb64url(assertion["clientData"]),
            unb64url(assertion["signature"]),
        )
        if raw is None or signature is None:
            raise Refused(400, "clientData and signature are base64url, no padding")
        data = json.loads(raw)
        if raw != json.dumps(data, separators=(",", ":")).encode():
            raise Refused(400, "clientData is not compact JSON")
        challenge = bound[0]
        expected = {"type", "challenge", "origin", "crossOrigin"}
        if (
            set(data) != expected
            or data["type"] != "key.get"
            or data["challenge"] != challenge
            or data["crossOrigin"] is not False
            or not isinstance(data["origin"], str)
        ):
            raise Refused(400, "clientData is {type: key.get, challenge, origin, ...}")
        if not verify(self.public_key, signature, raw):
            raise Refused(401, "signature does not verify")
        token = secrets.token_urlsafe(24)
        self._user_actions[token] = bound[1:]
        return httpx.Response(200, json={"userAction": token})

    def _consume(self, request: httpx.Request, path: str) -> None:
        token = request.headers.get("X-DFNS-USERACTION", "")
        if token not in self._user_actions:
            raise Refused(403, "X-DFNS-USERACTION missing or unknown")
        bound = self._user_actions[token]
        if bound is None:
            raise Refused(400, "user action has already been used")
        self._user_actions[token] = None
        if bound != (request.content.decode(), request.method, path):
            raise Refused(403, "the user action was signed for another request")

    # 1.3 Staking

    def _page(
        self, request: httpx.Request, items: list[dict], listing: bool = False
    ) -> httpx.Response:
        limit = request.url.params.get("limit", "50")
        if not limit.isdigit() or not 1 <= int(limit) <= 500:
            raise Refused(400, "limit is 1 to 500")
        start = int(request.url.params.get("paginationToken") or 0)
        chunk = items[start : start + int(limit)]
        if listing and not self.list_carries_actions:
            chunk = [{k: v for k, v in s.items() if k != "actions"} for s in chunk]
        page: dict[str, Any] = {"items": chunk}
        if start + int(limit) < len(items):
            page["nextPageToken"] = str(start + int(limit))
        return httpx.Response(200, json=page)

    def _new_action(self, stake: dict, kind: str, body: dict) -> dict[str, Any]:
        action = {
            "id": dfns_id("stka"),
            "stakeId": stake["id"],
            "status": "PendingPolicyApproval" if self.hold_writes else "InProgress",
            "kind": kind,
            "requester": {"userId": "us-docfk-docfk-docfakedocfake00"},
            "requestBody": body,
            "dateCreated": STAMP,
        }
        stake["actions"].append(action)
        return action

    def _written(self, stake: dict[str, Any]) -> httpx.Response:
        if self.hold_writes:
            return httpx.Response(202)  # the body is not documented: none
        return httpx.Response(200, json=stake)

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        protocol = body.get("protocol")
        if protocol not in CREATE_FIELDS:
            raise Refused(
                400, f"protocol {protocol!r} is not in the create-stake union"
            )
        self._fields(body, CREATE_FIELDS[protocol], "create stake")
        if not isinstance(body["walletId"], str) or not WALLET_ID.match(
            body["walletId"]
        ):
            raise Refused(400, "walletId is not wa-xxxxx-xxxxx-x{14,16}")
        if protocol == "Ethereum" and body["provider"] != "Figment":
            raise Refused(400, "provider is Figment")
        for stake in self.stakes.values():
            if (
                "externalId" in body
                and stake["requestBody"].get("externalId") == body["externalId"]
            ):
                if stake["requestBody"] != body:
                    duplicate = {"id": stake["id"], "externalId": body["externalId"]}
                    raise Refused(409, "externalId reused", {"duplicate": duplicate})
                return httpx.Response(200, json=stake)
        stake = {
            "id": dfns_id("stk"),
            "walletId": body["walletId"],
            "status": "Staking",
            "requester": {"userId": "us-docfk-docfk-docfakedocfake00"},
            "requestBody": body,
            "dateCreated": STAMP,
            "protocol": protocol,
            "data": None,
            "actions": [],
        }
        if protocol == "Ethereum":
            stake["provider"] = "Figment"
        if protocol == "Iota":
            stake["data"] = {
                "kind": "Iota",
                "amount": body["amount"],
                "validator": body["validator"],
            }
        if protocol == "Xdc":
            stake["data"] = {"candidate": body["candidate"], "amount": body["amount"]}
        self.stakes[stake["id"]] = stake
        self._new_action(stake, "Stake", body)
        return self._written(stake)

    def _act(self, stake: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
        key = (body.get("protocol"), body.get("kind"))
        if key not in ACTION_FIELDS:
            raise Refused(400, f"{key} is not in the create-action union")
        if body["protocol"] != stake["protocol"]:
            raise Refused(400, "protocol is the stake's")
        self._fields(body, ACTION_FIELDS[key], "create action")  # type: ignore[index]
        self._new_action(stake, body["kind"], body)
        return self._written(stake)

    # For tests: what the chain would do next.

    def activate(self, stake_id: str) -> None:
        stake = self.stakes[stake_id]
        stake["status"] = "Active"
        for action in stake["actions"]:
            action["status"] = "Completed"

    def settle(self, stake_id: str, status: str) -> None:
        stake = self.stakes[stake_id]
        stake["status"] = status
        for action in stake["actions"]:
            action["status"] = "Completed"
