"""Who a bearer credential belongs to: an API key first, then a JWT naming a client.

One place, one cache. A caller is remembered briefly (by the key's hash, or by the
token's claim) so a request costs no database read; a revoked client stops working
within `ttl` seconds on every replica, and a credential that names nobody is not
remembered, so a new key works at once. Concurrent misses for one credential share one
look-up (single flight), so a burst of requests with a cold key costs one read.

A JWT only names a client; the client's provider identities always come from the
database, so a token cannot grant itself someone else's wallet, and revoking the client
ends its tokens too.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol

from gateway.domain.caller import Caller, ClientClaim
from gateway.store.clients import hash_key

MAX_BEARER_CHARS = 8192


class ClientReader(Protocol):
    """What authentication reads of the clients (gateway.store.clients.ClientStore)."""

    async def authenticate(self, key: str) -> Caller | None: ...

    async def caller_for_claim(self, claim: ClientClaim) -> Caller | None: ...


class TokenVerifier(Protocol):
    """A JWT verifier (gateway.security.tokens.JwtVerifier): None for anything else."""

    async def verify(self, token: str) -> ClientClaim | None: ...


CacheKey = str | ClientClaim


class Authenticator:
    def __init__(
        self, clients: ClientReader, *, ttl: float = 5.0, size: int = 10_000
    ) -> None:
        self._clients = clients
        self._ttl = ttl
        self._size = size
        # API keys by their hash, so no key sits in memory longer than its request.
        self._known: OrderedDict[CacheKey, tuple[float, Caller]] = OrderedDict()
        self._pending: dict[CacheKey, asyncio.Task[Caller | None]] = {}
        self.hits = 0
        self.shared = 0

    async def authenticate(
        self, token: str, jwt: TokenVerifier | None = None
    ) -> Caller | None:
        """The caller a bearer credential belongs to, or None: never an error."""
        if not token or len(token) > MAX_BEARER_CHARS:
            return None
        caller = await self.caller_for(token)
        if caller is not None or jwt is None:
            return caller
        claim = await jwt.verify(token)
        if claim is None:
            return None
        return await self._cached(claim, lambda: self._clients.caller_for_claim(claim))

    async def caller_for(self, key: str) -> Caller | None:
        """The caller an API key belongs to, or None."""
        return await self._cached(
            hash_key(key), lambda: self._clients.authenticate(key)
        )

    async def _cached(
        self, key: CacheKey, load: Callable[[], Awaitable[Caller | None]]
    ) -> Caller | None:
        cached = self._known.get(key)
        if cached is not None and cached[0] > time.monotonic():
            self._known.move_to_end(key)
            self.hits += 1
            return cached[1]
        task = self._pending.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(key, load))
            self._pending[key] = task
            task.add_done_callback(lambda done: self._settled(key, done))
        else:
            self.shared += 1
        # Shielded: one waiter's cancellation must not cancel the others' look-up.
        return await asyncio.shield(task)

    async def _load(
        self, key: CacheKey, load: Callable[[], Awaitable[Caller | None]]
    ) -> Caller | None:
        caller = await load()
        if caller is None:
            self._known.pop(key, None)
            return None
        self._known[key] = (time.monotonic() + self._ttl, caller)
        self._known.move_to_end(key)
        if len(self._known) > self._size:
            self._known.popitem(last=False)
        return caller

    def _settled(self, key: CacheKey, done: asyncio.Task[Caller | None]) -> None:
        if self._pending.get(key) is done:
            del self._pending[key]
        if not done.cancelled():
            # Retrieved, so a failure nobody awaited any more is not logged as lost.
            done.exception()
