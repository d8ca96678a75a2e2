"""`python -m bench [--quick] [--only S1,S2] [--variant NAME] [--compare]`."""

import argparse
import asyncio
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import observability
from bench.cluster import Cluster
from bench.profile import COMPARE, FULL, QUICK, Profile
from bench.report import ScenarioResult, table, write_json
from bench.scenarios import (
    s1_trivial,
    s2_fanout,
    s3_nesting,
    s4_execution,
    s5_subscriptions,
    s6_webhooks,
    s7_defer,
    s8_client_webhooks,
    s9_rewards_export,
)
from bench.variants import KNOWN

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"
ORDER = ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9")
Runner = Callable[[Cluster, Profile], Awaitable[ScenarioResult]]


def _runners(workdir: Path) -> dict[str, Runner]:
    async def s4(cluster: Cluster, profile: Profile) -> ScenarioResult:
        return await s4_execution.run(workdir, profile)

    return {
        "S1": s1_trivial.run,
        "S2": s2_fanout.run,
        "S3": s3_nesting.run,
        "S4": s4,
        "S5": s5_subscriptions.run,
        "S6": s6_webhooks.run,
        "S7": s7_defer.run,
        "S8": s8_client_webhooks.run,
        "S9": s9_rewards_export.run,
    }


async def run_suite(
    profile: Profile, only: list[str], variants: list[str], workdir: Path
) -> list[ScenarioResult]:
    cluster = Cluster(workdir, variants)
    results: list[ScenarioResult] = []
    runners = _runners(workdir)
    try:
        await cluster.start()
        for sid in only:
            began = time.monotonic()
            print(
                f"[bench] {sid} ({'+'.join(variants) or 'baseline'}) ...",
                file=sys.stderr,
                flush=True,
            )
            try:
                result = await runners[sid](cluster, profile)
            except Exception as exc:  # one broken scenario must not hide the others
                result = ScenarioResult(
                    sid, "crashed", failures=[f"crashed: {exc!r}"[:500]]
                )
            result.details["seconds"] = round(time.monotonic() - began, 1)
            results.append(result)
        if not profile.quick or len(only) == len(ORDER):
            results.append(observability.check(await cluster.metrics()))
    finally:
        await cluster.stop()
        _keep_logs(workdir)
    return results


def _keep_logs(workdir: Path) -> None:
    """The servers' logs outlive the temporary directory, beside the results."""
    target = DEFAULT_OUT.parent / "logs" / workdir.name
    target.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        shutil.copy(log, target / log.name)


async def compare(profile: Profile, workdir: Path) -> list[ScenarioResult]:
    """S1 and S2 on the gateway as it is, then with each candidate change alone and all
    together: the before/after figures for the recommendations."""
    out = []
    for variants in ([], *([v] for v in KNOWN), list(KNOWN)):
        label = "+".join(variants) or "baseline"
        sub = workdir / label
        sub.mkdir()
        try:
            results = await run_suite(profile, ["S1", "S2"], variants, sub)
        except Exception as exc:
            results = [
                ScenarioResult("CMP", label, failures=[f"{label}: {exc!r}"[:300]])
            ]
        for result in results:
            if result.scenario in ("S1", "S2"):
                result.scenario = f"{result.scenario}[{label}]"
                out.append(result)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CI smoke run (< 2 min): asserts correctness, not timings",
    )
    parser.add_argument(
        "--only", default=",".join(ORDER), help="comma-separated scenarios, e.g. S1,S2"
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        choices=KNOWN,
        help="run the gateway with a candidate change",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="S1+S2 before/after each candidate change",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    profile = QUICK if args.quick else FULL
    only = [s.strip().upper() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in ORDER]
    if unknown:
        parser.error(f"unknown scenarios {unknown}; choose from {ORDER}")
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        if args.compare:
            profile = QUICK if args.quick else COMPARE
            results = asyncio.run(compare(profile, workdir))
        else:
            results = asyncio.run(run_suite(profile, only, args.variant, workdir))
    meta: dict[str, Any] = {
        "profile": profile.name,
        "variants": args.variant,
        "compare": args.compare,
        "seconds": round(time.monotonic() - began, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cores": len(__import__("os").sched_getaffinity(0)),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(table(results))
    write_json(args.out, meta, results)
    print(f"\nwrote {args.out} in {meta['seconds']} s")
    failed = [f for r in results for f in r.failures]
    if failed and args.quick:
        print(f"bench --quick: {len(failed)} correctness failure(s)", file=sys.stderr)
        return 1
    return 0
