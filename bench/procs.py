"""Child processes: pinned to a core, logged to a file, always stopped."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def pin_self(core: int | None) -> None:
    if core is not None:
        os.sched_setaffinity(0, {core})


def spawn(
    args: list[str], log: Path, core: int | None, root: Path | None = None
) -> subprocess.Popen[bytes]:
    """`python args...` from this checkout, or from the checkout at `root`."""
    out = log.open("ab")
    env = None
    if root is not None:
        env = {**os.environ, "PYTHONPATH": str(root)}
    try:
        return subprocess.Popen(
            [PYTHON, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: pin_self(core)) if core is not None else None,
            cwd=root or Path(__file__).resolve().parent.parent,
            env=env,
        )
    finally:
        out.close()


def stop(proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def run_json(
    module: str, spec: dict[str, Any], core: int | None, timeout: float
) -> dict[str, Any]:
    """Runs `python -m module` with `spec` on stdin; returns the JSON it prints."""
    done = subprocess.run(
        [PYTHON, "-m", module],
        input=json.dumps(spec).encode(),
        capture_output=True,
        timeout=timeout,
        preexec_fn=(lambda: pin_self(core)) if core is not None else None,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{module} failed ({done.returncode}): {done.stderr.decode()[-2000:]}"
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
