"""Per-client token buckets, in memory and in Redis (shared by replicas)."""

import asyncio
import logging
import uuid

import pytest

from gateway.security.rate_limit import (
    BucketPolicy,
    MemoryRateLimiter,
    RateLimited,
    RedisRateLimiter,
)
from tests.conftest import REDIS_URL


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_bucket_allows_its_burst_then_refuses_with_the_wait():
    clock = Clock()
    limiter = MemoryRateLimiter(BucketPolicy(rate=2, burst=3), clock=clock)
    assert [(await limiter.acquire("a")).allowed for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    refused = await limiter.acquire("a")
    assert not refused.allowed and refused.retry_after == pytest.approx(0.5)
    clock.now += 0.5
    assert (await limiter.acquire("a")).allowed
    assert not (await limiter.acquire("a")).allowed


async def test_each_client_has_its_own_bucket():
    limiter = MemoryRateLimiter(BucketPolicy(rate=1, burst=1), clock=Clock())
    assert (await limiter.acquire("a")).allowed
    assert not (await limiter.acquire("a")).allowed
    assert (await limiter.acquire("b")).allowed


async def test_a_bucket_refills_no_higher_than_its_burst():
    clock = Clock()
    limiter = MemoryRateLimiter(BucketPolicy(rate=10, burst=2), clock=clock)
    clock.now += 3600
    assert [(await limiter.acquire("a")).allowed for _ in range(3)] == [
        True,
        True,
        False,
    ]


async def test_a_rate_of_zero_means_no_limit():
    limiter = MemoryRateLimiter(BucketPolicy(rate=0, burst=1), clock=Clock())
    assert all([(await limiter.acquire("a")).allowed for _ in range(1000)])


async def test_memory_stays_bounded_under_many_keys():
    limiter = MemoryRateLimiter(
        BucketPolicy(rate=1, burst=1), clock=Clock(), max_keys=10
    )
    for index in range(1000):
        await limiter.acquire(f"k{index}")
    assert len(limiter._buckets) == 10


def test_retry_after_is_a_whole_number_of_seconds_rounded_up():
    assert RateLimited(0.2).retry_after_header == "1"
    assert RateLimited(2.01).retry_after_header == "3"


@pytest.fixture
def prefix() -> str:
    return f"test-rate-{uuid.uuid4().hex[:10]}"


@pytest.mark.redis
async def test_redis_buckets_are_shared_by_every_limiter_on_the_same_prefix(prefix):
    policy = BucketPolicy(rate=0.5, burst=4)
    one = RedisRateLimiter(REDIS_URL, policy, prefix=prefix)
    two = RedisRateLimiter(REDIS_URL, policy, prefix=prefix)
    try:
        results = [
            (await limiter.acquire("client")).allowed for limiter in (one, two) * 3
        ]
        assert results == [True, True, True, True, False, False]
        refused = await one.acquire("client")
        assert 0 < refused.retry_after <= 2.0
        assert (await two.acquire("other-client")).allowed
    finally:
        await one.close()
        await two.close()


@pytest.mark.redis
async def test_a_redis_bucket_refills_with_time(prefix):
    limiter = RedisRateLimiter(REDIS_URL, BucketPolicy(rate=20, burst=1), prefix=prefix)
    try:
        assert (await limiter.acquire("c")).allowed
        refused = await limiter.acquire("c")
        assert not refused.allowed
        await asyncio.sleep(refused.retry_after + 0.02)
        assert (await limiter.acquire("c")).allowed
    finally:
        await limiter.close()


async def test_an_unreachable_redis_lets_requests_through_and_says_so(caplog):
    limiter = RedisRateLimiter(
        "redis://127.0.0.1:1/0", BucketPolicy(rate=1, burst=1), prefix="x"
    )
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.security"):
            assert all([(await limiter.acquire("c")).allowed for _ in range(3)])
    finally:
        await limiter.close()
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "rate limiting is off" in warnings[0]
