"""Checking Zerohash's request signature, and the per-client rate limit.

The server side of PROVIDERS.md 2.1, written from the document (not from the adapter):
X-SCX-SIGNED must equal base64(HMAC-SHA256(base64decode(secret), timestamp + METHOD +
route + body)), where route is the path and query *as this app is mounted* (the request
path minus the ASGI root_path, so a sandbox mounted at /sandbox/zerohash checks
`/stakes`, not `/sandbox/zerohash/stakes`) and body is the raw body, `{}` for a GET.
The timestamp is checked against real time, not the simulated clock: a client signs
with its own wall clock however far the simulation has been advanced.
"""

import base64
import hashlib
import hmac
import time
from collections import deque
from collections.abc import Callable, Mapping

from starlette.types import Scope

from providers.zerohash.sandbox.errors import ZhError, invalid_token

TIMESTAMP_WINDOW_SECONDS = 60


def route_of(scope: Scope) -> str:
    raw: bytes = scope.get("raw_path") or scope["path"].encode()
    root = scope.get("root_path", "").encode()
    if root and raw.startswith(root):
        raw = raw[len(root) :]
    query: bytes = scope.get("query_string", b"")
    return (raw + b"?" + query if query else raw).decode("latin-1")


class RequestVerifier:
    def __init__(
        self,
        api_key: str,
        api_secret: str,
        passphrase: str,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_key = api_key
        self._secret = base64.b64decode(api_secret, validate=True)
        self._passphrase = passphrase
        self._wall_clock = wall_clock

    def verify(
        self, headers: Mapping[str, str], method: str, route: str, body: bytes
    ) -> str:
        """The caller's API key, if the request is signed by our credentials."""
        values = {}
        for name in (
            "x-scx-api-key",
            "x-scx-timestamp",
            "x-scx-passphrase",
            "x-scx-signed",
        ):
            value = headers.get(name)
            if not value:
                raise invalid_token(f"missing {name.upper()} header")
            values[name] = value
        if not hmac.compare_digest(values["x-scx-api-key"], self._api_key):
            raise invalid_token("unknown API key")
        if not hmac.compare_digest(values["x-scx-passphrase"], self._passphrase):
            raise invalid_token("wrong passphrase")
        stamp = values["x-scx-timestamp"]
        if not stamp.isdigit():
            raise invalid_token("X-SCX-TIMESTAMP must be Unix seconds")
        if abs(self._wall_clock() - int(stamp)) > TIMESTAMP_WINDOW_SECONDS:
            raise invalid_token(
                "X-SCX-TIMESTAMP is not within 60 seconds of server time"
            )
        signed_body = b"{}" if method == "GET" else body
        message = (
            stamp.encode() + method.encode() + route.encode("latin-1") + signed_body
        )
        expected = base64.b64encode(
            hmac.new(self._secret, message, hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected, values["x-scx-signed"]):
            raise invalid_token("X-SCX-SIGNED does not match the request")
        return values["x-scx-api-key"]


class RateLimiter:
    """At most `limit` requests per client in any rolling `window`; a breach blocks the
    client for one `window` (PROVIDERS.md 2.4: 2,000 per 10 s, blocked ~10 s)."""

    def __init__(
        self,
        limit: int = 2000,
        window: float = 10.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window = window
        self._monotonic = monotonic
        self._hits: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}

    def check(self, client: str) -> None:
        now = self._monotonic()
        if self._blocked_until.get(client, 0.0) > now:
            raise _too_many()
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) >= self._limit:
            self._blocked_until[client] = now + self._window
            hits.clear()
            raise _too_many()
        hits.append(now)


def _too_many() -> ZhError:
    return ZhError(
        429,
        "TOO_MANY_REQUESTS",
        "Too Many Requests",
        user_message="Too many requests; try again in a few seconds",
    )
