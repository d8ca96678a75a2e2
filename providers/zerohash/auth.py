"""Zerohash request signing as an `httpx.Auth`: the four X-SCX headers on each call.

X-SCX-SIGNED = base64(HMAC-SHA256(key=base64decode(secret),
                                  msg=timestamp + METHOD + route + body))

`route` is the path *with* its query string, relative to the provider root. A gateway
may reach a provider through a prefix (``http://host/sandbox/zerohash/``); the provider
behind that mount sees only its own route, so the prefix of the client's base URL is
cut before signing. `body` is the exact byte string sent (callers serialize once and
pass ``content=``), or the literal ``{}`` when there is none (GET).
"""

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Generator

import httpx
from pydantic import SecretStr

EMPTY_BODY = b"{}"


def sign(secret: bytes, timestamp: str, method: str, route: str, body: bytes) -> str:
    message = timestamp.encode() + method.upper().encode() + route.encode() + body
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def decode_secret(secret: SecretStr) -> bytes:
    try:
        return base64.b64decode(secret.get_secret_value(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the Zerohash API secret must be base64 text") from exc


def route_of(url: httpx.URL, mount_path: bytes) -> str:
    """`url`'s path and query as the provider sees them, without the mount prefix."""
    raw = url.raw_path
    prefix = mount_path.rstrip(b"/")
    if prefix and raw.startswith(prefix + b"/"):
        raw = raw[len(prefix) :]
    return raw.decode("ascii")


class ZerohashAuth(httpx.Auth):
    def __init__(
        self,
        api_key: str,
        api_secret: SecretStr,
        passphrase: SecretStr,
        *,
        mount_path: bytes = b"",
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_key = api_key
        self._secret = decode_secret(api_secret)
        self._passphrase = passphrase
        self._mount_path = mount_path
        self._wall_clock = wall_clock

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = str(int(self._wall_clock()))
        body = request.content or EMPTY_BODY
        route = route_of(request.url, self._mount_path)
        request.headers["X-SCX-API-KEY"] = self._api_key
        request.headers["X-SCX-TIMESTAMP"] = timestamp
        request.headers["X-SCX-PASSPHRASE"] = self._passphrase.get_secret_value()
        request.headers["X-SCX-SIGNED"] = sign(
            self._secret, timestamp, request.method, route, body
        )
        yield request
