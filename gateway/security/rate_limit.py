"""Per-client token buckets: in memory, or in Redis so that replicas share them.

A bucket holds up to `burst` tokens and refills at `rate` a second; each request takes
one. When Redis cannot be reached the limiter lets requests through and says so in the
log: a limiter outage must not become a gateway outage.
"""

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("gateway.security")


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Rate limit exceeded: retry in {retry_after:.1f} s.")
        self.retry_after = retry_after

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after)))


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0


@dataclass(frozen=True, slots=True)
class BucketPolicy:
    rate: float  # tokens a second; 0 means no limit
    burst: int

    @property
    def enabled(self) -> bool:
        return self.rate > 0


class RateLimiter(Protocol):
    policy: BucketPolicy

    async def acquire(self, key: str) -> Decision: ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    """One replica's buckets; the least recently used are dropped past `max_keys`."""

    def __init__(
        self,
        policy: BucketPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.policy = policy
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def acquire(self, key: str) -> Decision:
        if not self.policy.enabled:
            return Decision(True)
        now = self._clock()
        tokens, at = self._buckets.pop(key, (float(self.policy.burst), now))
        tokens = min(self.policy.burst, tokens + max(0.0, now - at) * self.policy.rate)
        decision = Decision(True)
        if tokens >= 1:
            tokens -= 1
        else:
            decision = Decision(False, (1 - tokens) / self.policy.rate)
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return decision

    async def close(self) -> None:
        self._buckets.clear()


# Atomic refill-and-take on the Redis server's clock, so replicas with skewed clocks
# agree. Returns {allowed, seconds to wait as a string} (Lua numbers become integers).
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(wait)}
"""


class RedisRateLimiter:
    def __init__(
        self, url: str, policy: BucketPolicy, *, prefix: str = "staking-gateway:rate"
    ) -> None:
        self.policy = policy
        self._prefix = prefix
        self._redis: Redis = Redis.from_url(
            url, socket_timeout=1.0, socket_connect_timeout=1.0
        )
        self._take = self._redis.register_script(_TAKE)
        self._failing = False

    async def acquire(self, key: str) -> Decision:
        if not self.policy.enabled:
            return Decision(True)
        try:
            allowed, wait = await self._take(
                keys=[f"{self._prefix}:{key}"],
                args=[repr(self.policy.rate), self.policy.burst],
            )
        except RedisError as error:
            if not self._failing:
                log.warning(
                    "rate limiting is off: Redis fails (%s)", type(error).__name__
                )
            self._failing = True
            return Decision(True)
        if self._failing:
            log.warning("rate limiting is back on: Redis answers again")
            self._failing = False
        return Decision(bool(int(allowed)), float(wait))

    async def close(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(
    policy: BucketPolicy, redis_url: str | None, *, prefix: str
) -> RateLimiter:
    if redis_url and policy.enabled:
        return RedisRateLimiter(redis_url, policy, prefix=prefix)
    return MemoryRateLimiter(policy)
