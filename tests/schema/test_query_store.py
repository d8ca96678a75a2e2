"""The persisted-query stores: memory bounded in bytes, Redis shared and expiring."""

import uuid

import pytest

from gateway.schema.query_store import MemoryQueryStore, RedisQueryStore
from tests.conftest import REDIS_URL


async def test_memory_keeps_the_most_recently_used_within_its_bytes():
    store = MemoryQueryStore(max_bytes=30)
    await store.put("a", "x" * 10)
    await store.put("b", "y" * 10)
    await store.put("c", "z" * 10)
    assert await store.get("a") == "x" * 10  # now the most recent
    await store.put("d", "w" * 10)
    assert await store.get("b") is None
    assert {await store.get(k) for k in "acd"} == {"x" * 10, "z" * 10, "w" * 10}
    assert len(store) == 3


async def test_memory_refuses_a_text_larger_than_all_of_it():
    store = MemoryQueryStore(max_bytes=8)
    await store.put("a", "short")
    await store.put("b", "far too long")
    assert await store.get("a") == "short" and await store.get("b") is None


@pytest.mark.redis
async def test_redis_shares_texts_between_stores_and_expires_them():
    prefix = f"test-apq-{uuid.uuid4().hex}"
    one = RedisQueryStore(REDIS_URL, prefix=prefix, ttl_seconds=30)
    other = RedisQueryStore(REDIS_URL, prefix=prefix, ttl_seconds=30)
    try:
        await one.put("d1", "{ portfolio { stakeCount } }")
        assert await other.get("d1") == "{ portfolio { stakeCount } }"
        assert 0 < await other._redis.ttl(f"{prefix}:d1") <= 30
        assert await other.get("d2") is None
    finally:
        await one._redis.delete(f"{prefix}:d1")
        await one.close()
        await other.close()


async def test_redis_unreachable_reads_as_unknown_and_keeps_a_local_copy():
    store = RedisQueryStore("redis://127.0.0.1:9/0", prefix="x", ttl_seconds=0)
    try:
        await store.put("d", "{ __typename }")
        assert await store.get("d") == "{ __typename }"  # from this replica's memory
        assert await store.get("other") is None
    finally:
        await store.close()
