"""Where automatic persisted queries are kept: this replica's memory, and Redis when
`REDIS_URL` is set, so that a query registered through one replica runs by its hash on
every other.

Memory is a least-recently-used map bounded in bytes of query text. In front of Redis it
is a near cache: a hash asked again skips the round trip. Redis failing costs clients
one extra round trip (their hash is "not found", they send the text), never an answer.
"""

import logging
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("gateway.persisted_queries")

DEFAULT_MEMORY_BYTES = 16 * 1024 * 1024


class QueryStore(Protocol):
    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, text: str) -> None: ...

    async def close(self) -> None: ...


class MemoryQueryStore:
    def __init__(self, max_bytes: int = DEFAULT_MEMORY_BYTES) -> None:
        self.max_bytes = max_bytes
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._texts)

    async def get(self, digest: str) -> str | None:
        text = self._texts.get(digest)
        if text is not None:
            self._texts.move_to_end(digest)
        return text

    async def put(self, digest: str, text: str) -> None:
        size = len(text.encode())
        if size > self.max_bytes:
            return
        previous = self._texts.pop(digest, None)
        if previous is not None:
            self._bytes -= len(previous.encode())
        self._texts[digest] = text
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, dropped = self._texts.popitem(last=False)
            self._bytes -= len(dropped.encode())

    async def close(self) -> None:
        self._texts.clear()
        self._bytes = 0


class RedisQueryStore:
    """Shared through Redis under `prefix`, each key kept `ttl_seconds` (0: for ever)."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str,
        ttl_seconds: int,
        near: MemoryQueryStore | None = None,
    ) -> None:
        self._redis: Redis = Redis.from_url(
            url, socket_timeout=1.0, socket_connect_timeout=1.0
        )
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._near = near or MemoryQueryStore()
        self._failing = False

    async def get(self, digest: str) -> str | None:
        text = await self._near.get(digest)
        if text is not None:
            return text
        try:
            raw = await self._redis.get(self._key(digest))
        except RedisError as error:
            self._failed(error)
            return None
        self._answered()
        if raw is None:
            return None
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        await self._near.put(digest, text)
        return text

    async def put(self, digest: str, text: str) -> None:
        await self._near.put(digest, text)
        try:
            await self._redis.set(self._key(digest), text, ex=self._ttl or None)
        except RedisError as error:
            self._failed(error)
            return
        self._answered()

    async def close(self) -> None:
        await self._near.close()
        await self._redis.aclose()

    def _key(self, digest: str) -> str:
        return f"{self._prefix}:{digest}"

    def _failed(self, error: RedisError) -> None:
        if not self._failing:
            log.warning(
                "persisted queries are this replica's only: Redis fails (%s)",
                type(error).__name__,
            )
        self._failing = True

    def _answered(self) -> None:
        if self._failing:
            log.warning("persisted queries are shared again: Redis answers")
            self._failing = False


def create_query_store(
    redis_url: str | None,
    *,
    prefix: str,
    ttl_seconds: int,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
) -> QueryStore:
    near = MemoryQueryStore(memory_bytes)
    if redis_url:
        return RedisQueryStore(
            redis_url, prefix=prefix, ttl_seconds=ttl_seconds, near=near
        )
    return near
