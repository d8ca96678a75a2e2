"""An externalId runs its request once; a different input under it is a conflict."""

import asyncio

from gateway.store.idempotency import ClaimOutcome


async def test_the_first_claim_wins_and_later_ones_replay_its_response(store):
    first = await store.idempotency.claim("c1", "key-1", "createStake", "hash-a")
    assert first.outcome is ClaimOutcome.CLAIMED
    await store.idempotency.complete(first.record_id, '{"ok": true}')
    again = await store.idempotency.claim("c1", "key-1", "createStake", "hash-a")
    assert again.outcome is ClaimOutcome.REPLAY
    assert again.response == '{"ok": true}'


async def test_the_same_key_with_another_input_is_a_conflict(store):
    first = await store.idempotency.claim("c1", "key-1", "createStake", "hash-a")
    await store.idempotency.complete(first.record_id, "{}")
    other = await store.idempotency.claim("c1", "key-1", "createStake", "hash-b")
    assert other.outcome is ClaimOutcome.CONFLICT


async def test_keys_are_per_client(store):
    a = await store.idempotency.claim("c1", "key-1", "createStake", "hash-a")
    b = await store.idempotency.claim("c2", "key-1", "createStake", "hash-a")
    assert a.outcome is b.outcome is ClaimOutcome.CLAIMED


async def test_a_concurrent_twin_waits_for_the_first_and_replays_it(store):
    first = await store.idempotency.claim("c1", "key-1", "createStake", "hash-a")

    async def finish_later():
        await asyncio.sleep(0.1)
        await store.idempotency.complete(first.record_id, '"done"')

    finisher = asyncio.create_task(finish_later())
    twin = await store.idempotency.claim("c1", "key-1", "createStake", "hash-a")
    await finisher
    assert twin.outcome is ClaimOutcome.REPLAY and twin.response == '"done"'


async def test_a_released_claim_can_be_taken_again(store):
    first = await store.idempotency.claim("c1", "key-1", "createStake", "hash-a")
    await store.idempotency.release(first.record_id)
    again = await store.idempotency.claim("c1", "key-1", "createStake", "hash-a")
    assert again.outcome is ClaimOutcome.CLAIMED
