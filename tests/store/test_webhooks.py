"""A burst of webhook deliveries is stored in one statement, each event once."""

from datetime import UTC, datetime

from gateway.domain.enums import Provider
from gateway.domain.notices import ProviderNotice
from gateway.store.webhooks import record_webhooks


def delivery(event_id: str, fact: str) -> tuple[ProviderNotice, bytes]:
    notice = ProviderNotice(
        provider=Provider.ZEROHASH,
        event_id=event_id,
        dedupe_key=fact,
        event_type="staking_reward.received",
        owner="CUST01",
        occurred_at=datetime.now(UTC),
    )
    return notice, b'{"ok": true}'


async def test_each_delivery_is_new_once_by_id_and_by_fact(store):
    async with store.transaction() as connection:
        first = await record_webhooks(
            connection,
            [
                delivery("n-1", "fact-1"),
                delivery("n-2", "fact-2"),
                delivery("n-1", "fact-1"),  # the same delivery twice in the burst
                delivery("n-3", "fact-2"),  # a retry with a new id, same fact
            ],
        )
    async with store.transaction() as connection:
        second = await record_webhooks(
            connection, [delivery("n-1", "fact-1"), delivery("n-4", "fact-4")]
        )
    assert first == [True, True, False, False]
    assert second == [False, True]


async def test_nothing_to_store_is_no_statement(store):
    async with store.transaction() as connection:
        assert await record_webhooks(connection, []) == []
