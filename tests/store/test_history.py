"""The status history records each fact once and never moves a status backwards."""

from datetime import UTC, datetime

from gateway.domain.enums import STAKE_STATUS_RANK, EventSource, Provider, StakeStatus
from gateway.domain.history import EntityKind, StatusReport


def report(status: StakeStatus, word: str, source=EventSource.WEBHOOK, stake="s-1"):
    return StatusReport(
        provider=Provider.ZEROHASH,
        entity_kind=EntityKind.STAKE,
        entity_id=stake,
        owner="CUST01",
        to_status=status.value,
        provider_status=word,
        rank=STAKE_STATUS_RANK[status],
        source=source,
        occurred_at=datetime.now(UTC),
        provider_stake_id=stake,
    )


async def test_each_change_is_recorded_with_where_it_came_from(store):
    first = await store.history.record(
        report(StakeStatus.PENDING, "submitted", EventSource.MUTATION)
    )
    second = await store.history.record(report(StakeStatus.ACTIVE, "staked"))
    assert first.from_status is None and second.from_status == "PENDING"
    assert second.cursor > first.cursor
    history = (await store.history.for_stakes(Provider.ZEROHASH, ["s-1"]))["s-1"]
    assert [(e.to_status, e.source) for e in history] == [
        ("PENDING", EventSource.MUTATION),
        ("ACTIVE", EventSource.WEBHOOK),
    ]


async def test_the_same_fact_twice_is_one_row(store):
    assert (
        await store.history.record(report(StakeStatus.PENDING, "submitted")) is not None
    )
    assert await store.history.record(report(StakeStatus.PENDING, "submitted")) is None


async def test_a_stale_report_is_kept_but_does_not_move_the_status_back(store):
    await store.history.record(report(StakeStatus.PENDING, "submitted"))
    await store.history.record(report(StakeStatus.ACTIVE, "staked"))
    stale = await store.history.record(report(StakeStatus.PENDING, "confirmed"))
    assert stale is not None and stale.applied is False
    current = await store.history.current_status(
        Provider.ZEROHASH, EntityKind.STAKE, "s-1"
    )
    assert current == "ACTIVE"
    applied = (await store.history.for_stakes(Provider.ZEROHASH, ["s-1"]))["s-1"]
    assert [e.to_status for e in applied] == ["PENDING", "ACTIVE"]


async def test_events_after_a_cursor_replay_in_order_for_the_owners_asked(store):
    a = await store.history.record(
        report(StakeStatus.PENDING, "submitted", stake="s-1")
    )
    await store.history.record(report(StakeStatus.PENDING, "submitted", stake="s-2"))
    await store.history.record(report(StakeStatus.ACTIVE, "staked", stake="s-1"))
    replay = await store.history.after(
        a.cursor, kinds=[EntityKind.STAKE], owners=[(Provider.ZEROHASH, "CUST01")]
    )
    assert [(e.entity_id, e.to_status) for e in replay] == [
        ("s-2", "PENDING"),
        ("s-1", "ACTIVE"),
    ]
    nobody = await store.history.after(
        0, kinds=[EntityKind.STAKE], owners=[(Provider.ZEROHASH, "OTHER")]
    )
    assert nobody == []


async def test_published_events_leave_the_outbox(store):
    event = await store.history.record(report(StakeStatus.PENDING, "submitted"))
    assert [e.cursor for e in await store.history.unpublished()] == [event.cursor]
    await store.history.mark_published([event.cursor])
    assert await store.history.unpublished() == []


def reward(distribution: str) -> StatusReport:
    return StatusReport(
        provider=Provider.ZEROHASH,
        entity_kind=EntityKind.REWARD,
        entity_id=distribution,
        owner="CUST01",
        to_status="CREDITED",
        provider_status="credited",
        rank=0,
        source=EventSource.WEBHOOK,
        occurred_at=datetime.now(UTC),
        provider_stake_id="s-1",
    )


async def test_a_burst_is_recorded_in_order_each_fact_once(store):
    await store.history.record(reward("r-0"))
    burst = [
        reward("r-1"),
        reward("r-0"),  # already recorded
        reward("r-2"),
        report(StakeStatus.PENDING, "submitted"),
        reward("r-1"),  # the same fact again, within the burst
        reward("r-3"),
        report(StakeStatus.ACTIVE, "staked"),
    ]
    async with store.transaction() as connection:
        recorded = await store.history.record_all_in(connection, burst)
    assert [e is not None for e in recorded] == [
        True,
        False,
        True,
        True,
        False,
        True,
        True,
    ]
    events = [e for e in recorded if e is not None]
    assert [e.entity_id for e in events] == ["r-1", "r-2", "s-1", "r-3", "s-1"]
    cursors = [e.cursor for e in events]
    assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)
    assert events[-1].from_status == "PENDING"
    assert (
        await store.history.current_status(Provider.ZEROHASH, EntityKind.STAKE, "s-1")
        == "ACTIVE"
    )
