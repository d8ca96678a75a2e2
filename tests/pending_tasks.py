"""A test that hangs fails with the names and stacks of the asyncio tasks still pending.

pytest-timeout's signal method dumps the threads' stacks, which for an event loop shows
only `select()`; what is stuck is a task. The alarm prints every task (name, what it
awaits, down to the innermost frame), then ends the test: by pytest-timeout's own failure
when the loop is between tasks, or by stopping the loop when the alarm lands inside a
task's step (an exception raised there would only end that task, not the test).
"""

import asyncio
import signal
import threading
import traceback
from types import FrameType
from typing import Any

import pytest
from pytest_timeout import dump_stacks  # type: ignore[import-untyped]

TITLE = "Timeout: asyncio tasks still pending"


def await_chain(task: "asyncio.Task[Any]") -> list[str]:
    """Where the task is suspended: each coroutine it awaits, then the awaited future."""
    lines: list[str] = []
    awaited: Any = task.get_coro()
    while awaited is not None:
        frame: FrameType | None = getattr(awaited, "cr_frame", None) or getattr(
            awaited, "gi_frame", None
        )
        if frame is None:
            if not hasattr(awaited, "cr_await") and not hasattr(
                awaited, "gi_yieldfrom"
            ):
                lines.append(f"  awaiting {awaited!r}\n")
            break
        lines.extend(traceback.format_stack(frame, limit=1))
        awaited = getattr(awaited, "cr_await", None) or getattr(
            awaited, "gi_yieldfrom", None
        )
    return lines


def describe_tasks(loop: asyncio.AbstractEventLoop) -> str:
    tasks = sorted(asyncio.all_tasks(loop), key=lambda t: t.get_name())
    parts = [f"{len(tasks)} pending:\n"]
    for task in tasks:
        state = " (cancelling)" if task.cancelling() else ""
        parts.append(f"--- task {task.get_name()}{state}\n")
        parts.extend(await_chain(task))
    return "".join(parts)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def on_timeout(item: pytest.Item, timeout: float, *, first: bool) -> None:
    __tracebackhide__ = True
    terminal = item.config.get_terminal_writer()
    terminal.sep("+", title="Timeout")
    dump_stacks(terminal)
    loop = _running_loop()
    if loop is not None:
        terminal.sep("~", title=TITLE)
        terminal.write(describe_tasks(loop))
    terminal.sep("+", title="Timeout")
    if first and loop is not None and asyncio.current_task(loop) is not None:
        # Raised here, the failure would end only the task this step belongs to; a
        # stopped loop ends the test. Should even that not return, fail in 5 s anyway.
        loop.stop()
        signal.setitimer(signal.ITIMER_REAL, 5)
        return
    pytest.fail(f"Timeout >{timeout}s (pending tasks above)")


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if (
        settings.method != "signal"
        or threading.current_thread() is not threading.main_thread()
    ):
        return None  # pytest-timeout's thread method, which ends the process

    fired = 0

    def handler(signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        nonlocal fired
        fired += 1
        on_timeout(item, settings.timeout, first=fired == 1)

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    item.cancel_timeout = cancel  # type: ignore[attr-defined]  # read by pytest-timeout
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    return True
