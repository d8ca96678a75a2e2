"""Stopping the watcher: cancelled, it returns only once every one of its loops has ended."""

import asyncio
from datetime import timedelta
from types import SimpleNamespace

from gateway.domain.enums import Provider
from gateway.services.watcher import Watcher, WatchPolicy
from tests.waiting import eventually


class SlowToReleaseLeases:
    """Dfns's lease write, once cancelled, takes its time to let go of its connection."""

    def __init__(self) -> None:
        self.writing = asyncio.Event()
        self.released = asyncio.Event()
        self.cleaning_up = False

    async def acquire(self, name: str, holder: str, ttl: timedelta) -> bool:
        if name != "poll:DFNS":
            return False
        self.writing.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cleaning_up = True
            await self.released.wait()
            raise
        return False


class NothingPending:
    async def publish_pending(self) -> int:
        return 0


async def test_a_cancelled_watcher_returns_only_after_every_provider_loop_ended():
    leases = SlowToReleaseLeases()
    watcher = Watcher(
        SimpleNamespace(leases=leases),
        SimpleNamespace(adapters=dict.fromkeys(Provider)),
        NothingPending(),
        WatchPolicy(fast=0.01, slow=0.01, lease_ttl=0.03),
    )
    running = asyncio.create_task(watcher.run())
    await eventually(leases.writing.is_set)
    running.cancel()
    await eventually(lambda: leases.cleaning_up)
    assert not running.done()  # Dfns's loop still holds its connection
    leases.released.set()
    await eventually(running.done)
    assert running.cancelled()
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("watcher-")]
