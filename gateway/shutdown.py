"""Stopping within a bound: the lifespan's background tasks and closes share one deadline.

Every background task the app starts is named and started here. At stop, they are
cancelled, then awaited until the deadline; so is each resource's close. Whatever still
runs then is logged by name, with where it waits, and left behind: a task that will not
end must not keep a replica from stopping during a deploy.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger("gateway.shutdown")

# After the deadline, each remaining close still gets this long: closing a pool or a
# socket takes a moment, and skipping them would leak what the deadline did not cover.
GRACE_SECONDS = 0.2


def where(task: "asyncio.Task[Any]") -> str:
    """Where the task waits: each coroutine it awaits, outermost first."""
    awaited: Any = task.get_coro()
    frames = []
    while getattr(awaited, "cr_frame", None) is not None:
        frame = awaited.cr_frame
        code = frame.f_code
        frames.append(f"{Path(code.co_filename).name}:{frame.f_lineno} {code.co_name}")
        awaited = awaited.cr_await
    return " > ".join(frames) or "its first step"


class Shutdown:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._tasks: set[asyncio.Task[Any]] = set()
        self._deadline: float | None = None
        self.left_behind: list[str] = []

    @property
    def tasks(self) -> list[str]:
        return sorted(t.get_name() for t in self._tasks)

    def start(
        self, work: Coroutine[Any, Any, None], *, name: str
    ) -> "asyncio.Task[None]":
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._ended)
        return task

    def _ended(self, task: "asyncio.Task[Any]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "background task %s failed", task.get_name(), exc_info=task.exception()
            )

    def remaining(self) -> float:
        """Seconds left before the deadline, which the first call of the stop sets."""
        now = asyncio.get_running_loop().time()
        if self._deadline is None:
            self._deadline = now + self.seconds
        return max(0.0, self._deadline - now)

    async def stop_tasks(self) -> None:
        """Cancels every background task, then waits for them until the deadline."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await self._wait(tasks)

    async def close(self, name: str, close: Callable[[], Awaitable[Any]]) -> None:
        """Runs `close` until the deadline; its error, if it fails, is raised."""

        async def closing() -> None:
            await close()

        task = asyncio.create_task(closing(), name=f"close {name}")
        await self._wait([task])
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]  # checked just above

    async def _wait(self, tasks: Iterable["asyncio.Task[Any]"]) -> None:
        tasks = list(tasks)
        if not tasks:
            return
        timeout = max(self.remaining(), GRACE_SECONDS)
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in sorted(pending, key=lambda t: t.get_name()):
            task.cancel()
            self.left_behind.append(task.get_name())
            log.error(
                "%s still running when the stop's %s s were up (the lifespan's share "
                "of GATEWAY_SHUTDOWN_SECONDS); left behind, waiting at %s",
                task.get_name(),
                self.seconds,
                where(task),
            )
