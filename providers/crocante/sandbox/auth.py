"""The sandbox's login and Bearer-token check, with Crocante's auth error codes.

Every user shares the sandbox's password; a token lives `token_ttl_seconds` of simulated
time. TOTP, when configured, is checked against the wall clock (a code on a phone does
not follow a simulated clock), one 30 s step either side.
"""

import base64
import hashlib
import hmac
import re
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from providers.sandbox_kit import SimulatedClock

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")


class AuthRefused(Exception):
    """Crocante's `{"error": {"msg", "code"}}` refusal."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class BadLogin(Exception):
    """A login body that is not a login at all (400)."""


@dataclass(frozen=True, slots=True)
class _Session:
    username: str
    expires_at: datetime


def _totp_at(key: bytes, counter: int) -> str:
    # Written from RFC 4226 §5.3 apart from the adapter's, so each checks the other.
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    start = mac[19] & 0xF
    (number,) = struct.unpack(">L", mac[start : start + 4])
    return f"{(number & 0x7FFFFFFF) % 1_000_000:06d}"


class SandboxAuth:
    def __init__(
        self,
        *,
        clock: SimulatedClock,
        password: str,
        token_ttl_seconds: float,
        totp_secret: str | None = None,
        wall_time: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._password = password
        self._ttl = timedelta(seconds=token_ttl_seconds)
        self._totp_key = (
            base64.b32decode(totp_secret + "=" * (-len(totp_secret) % 8))
            if totp_secret
            else None
        )
        self._wall_time = wall_time
        self._sessions: dict[str, _Session] = {}

    def login(self, body: object) -> tuple[str, str]:
        """(username, new token) for a login; its password and TOTP must match."""
        if not isinstance(body, dict) or set(body) - {
            "username",
            "password",
            "totpCode",
        }:
            raise BadLogin("expected {username, password, totpCode?}")
        username, password, code = (
            body.get(k) for k in ("username", "password", "totpCode")
        )
        if not isinstance(username, str) or not USERNAME_PATTERN.fullmatch(username):
            raise BadLogin("username is missing or malformed")
        if password is not None and not isinstance(password, str):
            raise BadLogin("password must be a string")
        if code is not None and not isinstance(code, str):
            raise BadLogin("totpCode must be a string")
        if password is None or not hmac.compare_digest(
            password.encode(), self._password.encode()
        ):
            raise AuthRefused(403, "CREDENTIALS_INVALID", "Invalid credentials")
        if self._totp_key is not None:
            if not code:
                raise AuthRefused(401, "TOTP_MISSING", "A TOTP code is required")
            if not self._totp_matches(self._totp_key, code):
                raise AuthRefused(401, "TOTP_INVALID", "Invalid TOTP code")
        token = secrets.token_urlsafe(32)
        self._sessions[token] = _Session(username, self._clock.now() + self._ttl)
        return username, token

    def _totp_matches(self, key: bytes, code: str) -> bool:
        step = int(self._wall_time() // 30)
        return any(
            hmac.compare_digest(code, _totp_at(key, step + drift))
            for drift in (-1, 0, 1)
        )

    def authenticate(self, authorization: str | None) -> str:
        """The user a request's `Authorization: Bearer <token>` header belongs to."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthRefused(401, "AUTH_HEADER_MISSING", "Missing bearer token")
        session = self._sessions.get(token.strip())
        if session is None:
            raise AuthRefused(401, "SESSION_INVALID", "Session is not valid")
        if self._clock.now() >= session.expires_at:
            del self._sessions[token.strip()]
            raise AuthRefused(401, "TOKEN_EXPIRED", "Token expired")
        return session.username
