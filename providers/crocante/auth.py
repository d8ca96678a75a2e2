"""Crocante's auth: log in with username/password (+TOTP) for a Bearer token, per user.

One `CrocanteAuth` per Crocante user. The token is fetched lazily on the first request
and fetched again, once, when Crocante says it expired or the session is gone.
"""

import asyncio
import json
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx
from pydantic import SecretStr

from gateway.domain.enums import Provider
from providers.base import (
    ProviderAuthError,
    ProviderProtocolError,
    unavailable_for_status,
)
from providers.crocante.errors import RELOGIN_CODES, error_code
from providers.crocante.totp import totp

P = Provider.CROCANTE
_TOKEN_KEYS = ("token", "access_token", "accessToken")
# What can go in a header: a token with spaces or control characters is not one.
_TOKEN_PATTERN = re.compile(r"[\x21-\x7e]{1,4096}")


class CrocanteAuth(httpx.Auth):
    def __init__(
        self,
        *,
        login_url: httpx.URL,
        username: str,
        password: SecretStr | None,
        totp_key: bytes | None = None,
        wall_time: Callable[[], float] = time.time,
    ) -> None:
        self._login_url = login_url
        self._username = username
        self._password = password
        self._totp_key = totp_key
        # TOTP is wall-clock by definition, whatever clock a sandbox runs on.
        self._wall_time = wall_time
        self._token: str | None = None
        self._lock = asyncio.Lock()

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("CrocanteAuth works with httpx.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        used = self._token
        if used is None:
            async with self._lock:
                if self._token is None:
                    login = yield self._login_request()
                    self._token = await _read_token(login)
                used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        if error_code(response) not in RELOGIN_CODES:
            return
        async with self._lock:
            # Another request may have logged in again meanwhile: reuse its token.
            if self._token == used:
                login = yield self._login_request()
                self._token = await _read_token(login)
            used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        yield request

    def _login_request(self) -> httpx.Request:
        body: dict[str, str] = {"username": self._username}
        if self._password is not None:
            body["password"] = self._password.get_secret_value()
        if self._totp_key is not None:
            body["totpCode"] = totp(self._totp_key, self._wall_time())
        return httpx.Request(
            "POST",
            self._login_url,
            json=body,
            headers={"Accept": "application/json"},
        )


async def _read_token(response: httpx.Response) -> str:
    await response.aread()
    if response.status_code == 429 or response.status_code >= 500:
        raise unavailable_for_status(P, response)
    if not response.is_success:
        code = error_code(response) or f"HTTP {response.status_code}"
        raise ProviderAuthError(P, f"login refused ({code})")
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):  # deeply nested JSON too
        raise ProviderProtocolError(P, "login answer is not JSON") from None
    if not isinstance(body, dict):
        raise ProviderProtocolError(P, "login answer is not an object")
    data = body.get("data")
    for source in (data if isinstance(data, dict) else {}, body):
        for key in _TOKEN_KEYS:
            token = source.get(key)
            if isinstance(token, str) and _TOKEN_PATTERN.fullmatch(token):
                return token
    raise ProviderProtocolError(P, "login answer has no token")
