"""Start sandboxes' background work together, and stop all of it whatever happens."""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from providers.sandbox_kit.protocol import ProviderSandbox


@asynccontextmanager
async def running(sandboxes: Iterable[ProviderSandbox]) -> AsyncIterator[None]:
    started: list[ProviderSandbox] = []
    try:
        for sandbox in sandboxes:
            await sandbox.start()
            started.append(sandbox)
        yield
    finally:
        for sandbox in reversed(started):
            await sandbox.stop()
