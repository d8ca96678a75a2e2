"""A second Zerohash, written from ../shared/PROVIDERS.md section 2 alone (not from the
sandbox): a handler for `httpx.MockTransport` that checks the wire.

What it holds the adapter to, with the section each rule comes from:
- 2.1: X-SCX-API-KEY, X-SCX-PASSPHRASE, X-SCX-TIMESTAMP (seconds, within 60 s), and
  X-SCX-SIGNED = base64(HMAC-SHA256(base64-decode(secret), ts + METHOD + route + body)),
  route with its query string, body `{}` for GET; X-REQUEST-ID a UUID v4.
- 2.2: `POST /stakes` carries exactly participant_code, account_label, asset, amount;
  `POST /stakes/unstake` exactly participant_code, account_label, asset, amount and the
  beta guide's unstake_type ("partial" | "full"); amounts are decimal strings; ids are
  UUIDs; the other staking paths as the 2.2 table lists them.
- 2.4: the same X-REQUEST-ID on every retry of one call.
Anything else is answered 400 VALIDATION_FAILED and recorded in `violations`.

Answers are thin where 2.2 leaves the response unknown (`thin=True`: only the id), so
the adapter must read the id and fetch the status.
"""

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

AMOUNT = re.compile(r"^\d+(\.\d+)?$")
STAKE_FIELDS = {"participant_code", "account_label", "asset", "amount"}
UNSTAKE_FIELDS = STAKE_FIELDS | {"unstake_type"}
STAMP = "2026-03-02T12:00:00Z"


@dataclass
class DocFake:
    api_key: str
    secret_b64: str
    passphrase: str
    now: Callable[[], float]
    thin: bool = True
    # Answer the first attempt of each POST with 503 (to watch the retry).
    fail_first_post: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    stakes: dict[str, dict[str, Any]] = field(default_factory=dict)
    unstakes: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts_seen: dict[str, int] = field(default_factory=dict)

    def refuse(self, why: str) -> httpx.Response:
        self.violations.append(why)
        return httpx.Response(
            400,
            json={"error_code": "VALIDATION_FAILED", "message": why, "details": {}},
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        why = self._check_headers(request)
        if why:
            return self.refuse(why)
        method, path = request.method, request.url.path
        body: dict[str, Any] = {}
        if method != "GET":
            parsed = json.loads(request.content or b"{}")
            if not isinstance(parsed, dict):
                return self.refuse("body is not an object")
            body = parsed
            rid = request.headers["X-REQUEST-ID"]
            self.posts_seen[rid] = self.posts_seen.get(rid, 0) + 1
            if self.fail_first_post and self.posts_seen[rid] == 1:
                return httpx.Response(503)
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/stakes":
            return self._stake(body)
        if method == "POST" and path == "/stakes/unstake":
            return self._unstake(body)
        if method == "GET" and len(parts) == 4 and parts[:2] == ["stakes", "unstake"]:
            return self._found(self.unstakes.get(parts[2]), parts[3] == "status")
        if method == "POST" and len(parts) == 4 and parts[:2] == ["stakes", "unstake"]:
            return self._cancel_unstake(parts[2], parts[3], body)
        if method == "GET" and len(parts) == 3 and parts[0] == "stakes":
            return self._found(self.stakes.get(parts[1]), parts[2] == "status")
        if method == "GET" and len(parts) == 2 and parts[0] == "stakes":
            mine = [
                s for s in self.stakes.values() if s["participant_code"] == parts[1]
            ]
            return self._ok({"stakes": mine})
        return httpx.Response(404, json={"error_code": "NOT_FOUND", "message": path})

    def _check_headers(self, request: httpx.Request) -> str | None:
        h = request.headers
        if h.get("X-SCX-API-KEY") != self.api_key:
            return "X-SCX-API-KEY"
        if h.get("X-SCX-PASSPHRASE") != self.passphrase:
            return "X-SCX-PASSPHRASE"
        stamp = h.get("X-SCX-TIMESTAMP", "")
        if not stamp.isdigit() or abs(int(stamp) - self.now()) > 60:
            return "X-SCX-TIMESTAMP"
        route = request.url.raw_path.decode()
        text = "{}" if request.method == "GET" else request.content.decode()
        message = f"{stamp}{request.method}{route}{text}".encode()
        key = base64.b64decode(self.secret_b64)
        expected = base64.b64encode(
            hmac.new(key, message, hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected, h.get("X-SCX-SIGNED", "")):
            return "X-SCX-SIGNED"
        try:
            rid = uuid.UUID(h.get("X-REQUEST-ID", ""))
        except ValueError:
            return "X-REQUEST-ID is not a UUID"
        if rid.version != 4 or rid.variant != uuid.RFC_4122:
            return "X-REQUEST-ID is not a UUID v4"
        return None

    def _fields(self, body: dict[str, Any], expected: set[str]) -> str | None:
        if set(body) != expected:
            extra = sorted(set(body) - expected)
            missing = sorted(expected - set(body))
            return f"fields: extra {extra}, missing {missing}"
        if not all(isinstance(body[k], str) for k in body):
            return "every field is a string"
        if not AMOUNT.match(body["amount"]):
            return "amount is not a decimal string"
        return None

    def _ok(self, message: dict[str, Any]) -> httpx.Response:
        return httpx.Response(
            200, json={"request_id": str(uuid.uuid4()), "message": message}
        )

    def _found(self, record: dict[str, Any] | None, status: bool) -> httpx.Response:
        if record is None or not status:
            return httpx.Response(404, json={"error_code": "NOT_FOUND", "message": ""})
        return self._ok(record)

    def _stake(self, body: dict[str, Any]) -> httpx.Response:
        why = self._fields(body, STAKE_FIELDS)
        if why:
            return self.refuse(why)
        stake_id = str(uuid.uuid4())
        self.stakes[stake_id] = {
            "stake_id": stake_id,
            "participant_code": body["participant_code"],
            "asset": body["asset"],
            "quantity": body["amount"],
            "current_quantity": body["amount"],
            "status": "submitted",
            "created_at": STAMP,
        }
        if self.thin:
            return self._ok({"stake_id": stake_id})
        return self._ok(self.stakes[stake_id])

    def _unstake(self, body: dict[str, Any]) -> httpx.Response:
        why = self._fields(body, UNSTAKE_FIELDS)
        if why:
            return self.refuse(why)
        if body["unstake_type"] not in ("partial", "full"):
            return self.refuse("unstake_type")
        unstake_id = str(uuid.uuid4())
        self.unstakes[unstake_id] = {
            "unstake_id": unstake_id,
            "participant_code": body["participant_code"],
            "asset": body["asset"],
            "amount": body["amount"],
            "status": "submitted",
            "created_at": STAMP,
        }
        if self.thin:
            return self._ok({"unstake_id": unstake_id})
        return self._ok(self.unstakes[unstake_id])

    def _cancel_unstake(
        self, unstake_id: str, verb: str, body: dict[str, Any]
    ) -> httpx.Response:
        unstake = self.unstakes.get(unstake_id)
        if verb != "cancel" or unstake is None:
            return httpx.Response(404, json={"error_code": "NOT_FOUND", "message": ""})
        if body:
            return self.refuse("cancel takes no fields")
        if unstake["status"] != "submitted":
            return self.refuse("cancel before broadcast only")
        unstake["status"] = "canceled"
        return self._ok(unstake)
