"""The benchmark's smoke run, as CI runs it: skipped unless RUN_BENCH=1."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(
        os.environ.get("RUN_BENCH") != "1", reason="set RUN_BENCH=1 to run the bench"
    ),
]

ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_runs_every_scenario_without_a_correctness_failure(tmp_path):
    out = tmp_path / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    scenarios = {s["scenario"]: s for s in report["scenarios"]}
    assert {"S1", "S2", "S3", "S4", "S5", "S6"} <= set(scenarios)
    assert all(not s["failures"] for s in scenarios.values())
    calls = scenarios["S2"]["details"]["calls_per_request"]
    assert all(sum(by.values()) >= 1 for by in calls.values()), calls
