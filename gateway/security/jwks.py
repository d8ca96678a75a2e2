"""The public keys RS256/ES256 tokens are checked against: a JWKS file or URL.

Keys are cached; an unknown `kid` triggers one refetch, at most every `refetch_floor`
seconds, so a stream of made-up kids cannot turn the gateway into a JWKS flooder.
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWKError

log = logging.getLogger("gateway.security")

ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")
MAX_JWKS_BYTES = 256 * 1024


class JwksUnavailable(Exception):
    """The key set could not be read: tokens that need it are refused."""


def parse_jwks(raw: bytes) -> dict[str, PyJWK]:
    """Signing keys by kid; keys we cannot or must not use are skipped, not fatal."""
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise JwksUnavailable("the JWKS is not JSON") from error
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise JwksUnavailable("the JWKS has no `keys` list")
    keys: dict[str, PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        if entry.get("kty") not in ("RSA", "EC"):
            continue  # never an `oct` key: HS256 uses the configured secret only
        try:
            key = PyJWK(entry)
        except PyJWKError:
            continue
        if key.algorithm_name in ASYMMETRIC_ALGORITHMS:
            keys[str(entry.get("kid", ""))] = key
    return keys


class JwksSource:
    def __init__(
        self,
        location: str,
        *,
        cache_seconds: float = 300.0,
        refetch_floor: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.location = location
        self._remote = location.startswith(("https://", "http://"))
        self._cache_seconds = cache_seconds
        self._refetch_floor = refetch_floor
        self._transport = transport
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self._http: httpx.AsyncClient | None = None

    async def open(self) -> None:
        if self._remote and self._http is None:
            self._http = httpx.AsyncClient(
                transport=self._transport, timeout=5.0, follow_redirects=False
            )

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def key(self, kid: str | None, algorithm: str) -> PyJWK | None:
        keys = await self._current(force=False)
        found = self._pick(keys, kid, algorithm)
        if found is None and kid is not None:
            # The issuer may have rotated its keys since we last looked.
            found = self._pick(await self._current(force=True), kid, algorithm)
        return found

    @staticmethod
    def _pick(keys: dict[str, PyJWK], kid: str | None, alg: str) -> PyJWK | None:
        if kid is not None:
            key = keys.get(kid)
            return key if key is not None and key.algorithm_name == alg else None
        matching = [k for k in keys.values() if k.algorithm_name == alg]
        # Without a kid only an unambiguous key set will do.
        return matching[0] if len(matching) == 1 else None

    async def _current(self, *, force: bool) -> dict[str, PyJWK]:
        async with self._lock:
            now = self._clock()
            age = None if self._fetched_at is None else now - self._fetched_at
            stale = age is None or age >= self._cache_seconds
            if stale or (force and age is not None and age >= self._refetch_floor):
                try:
                    self._keys = parse_jwks(await self._read())
                except JwksUnavailable as error:
                    log.warning("JWKS %s unusable: %s", self._describe(), error)
                    if self._fetched_at is None:
                        self._keys = {}
                self._fetched_at = now
            return self._keys

    def _describe(self) -> str:
        return self.location.split("?", 1)[0]

    async def _read(self) -> bytes:
        if not self._remote:
            try:
                raw = await asyncio.to_thread(Path(self.location).read_bytes)
            except OSError as error:
                raise JwksUnavailable(f"cannot read it ({error.strerror})") from error
        else:
            raw = await self._fetch()
        if len(raw) > MAX_JWKS_BYTES:
            raise JwksUnavailable("it is too large")
        return raw

    async def _fetch(self) -> bytes:
        await self.open()
        assert self._http is not None
        body = bytearray()
        try:
            async with self._http.stream("GET", self.location) as response:
                if response.status_code != 200:
                    raise JwksUnavailable(f"HTTP {response.status_code}")
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_JWKS_BYTES:
                        break
        except httpx.HTTPError as error:
            raise JwksUnavailable(f"unreachable ({type(error).__name__})") from error
        return bytes(body)
