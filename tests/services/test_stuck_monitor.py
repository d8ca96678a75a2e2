"""The stuck-action check on SQLite and PostgreSQL, with a fake clock: one alert per
action and provider status, past its threshold only, cleared by the next change."""

from datetime import UTC, datetime, timedelta

from gateway.domain.enums import ActionStatus, EventSource, Provider, StakeActionKind
from gateway.domain.models import StakeAction
from gateway.events import MemoryBus
from gateway.services.status_feed import StatusFeed, action_report
from gateway.services.stuck import StuckActionMonitor, StuckThresholds


def action(status: ActionStatus, word: str) -> StakeAction:
    return StakeAction(
        provider=Provider.ZEROHASH,
        provider_action_id="act-1",
        owner="P1",
        kind=StakeActionKind.STAKE,
        status=status,
        provider_status=word,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        provider_stake_id="s-1",
    )


async def test_one_alert_past_the_threshold_cleared_by_the_next_change(store):
    bus = MemoryBus()
    await bus.connect()
    feed = StatusFeed(store, bus)
    now = [datetime.now(UTC)]
    monitor = StuckActionMonitor(
        store,
        feed,
        StuckThresholds.parse("ZEROHASH:broadcasted=2h"),
        clock=lambda: now[0],
    )
    await feed.record(
        [action_report(action(ActionStatus.PENDING, "submitted"), EventSource.POLL)]
    )
    now[0] += timedelta(hours=3)
    assert await monitor.check_once() == [], "no threshold for submitted"

    await feed.record(
        [
            action_report(
                action(ActionStatus.IN_PROGRESS, "broadcasted"), EventSource.POLL
            )
        ]
    )
    # Measured from when the gateway recorded it, in its own (here, our) time.
    now[0] = datetime.now(UTC) + timedelta(hours=1, minutes=59)
    assert await monitor.check_once() == []
    now[0] += timedelta(minutes=2)
    [alert] = await monitor.check_once()
    assert alert.stuck and alert.applied
    assert (alert.from_status, alert.to_status) == ("IN_PROGRESS", "IN_PROGRESS")
    assert alert.provider_status == "broadcasted"
    assert monitor.stuck[Provider.ZEROHASH] == 1

    now[0] += timedelta(hours=5)
    assert await monitor.check_once() == [], "once"
    assert monitor.raised[Provider.ZEROHASH] == 1

    await feed.record(
        [action_report(action(ActionStatus.COMPLETED, "staked"), EventSource.POLL)]
    )
    assert await monitor.check_once() == []
    assert monitor.stuck[Provider.ZEROHASH] == 0
    await bus.disconnect()
