"""Which of issue 8's /metrics series the gateway exposes, read after the load ran."""

import re

from bench.report import ScenarioResult

# Issue 8's list, each as a pattern over metric names that have at least one sample.
WANTED = {
    "operation latency histogram": r"(operation|request)_(duration_)?seconds_bucket",
    "upstream calls per provider/endpoint": r"upstream.*(calls|requests)_total",
    "upstream latency": r"upstream.*seconds",
    "upstream errors": r"upstream_error",
    "breaker state": r"circuit|breaker",
    "loader batch sizes": r"loader|batch",
    "cache hits": r"cache",
    "subscribers": r"subscribers",
    "events published/delivered/dropped": r"events_(published|delivered|dropped)",
    "webhooks accepted/rejected": r"webhooks",
}


def sampled_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def check(text: str) -> ScenarioResult:
    result = ScenarioResult("OBS", "/metrics series")
    names = sampled_names(text)
    missing = []
    for what, pattern in WANTED.items():
        if not any(re.search(pattern, name) for name in names):
            missing.append(what)
    present = len(WANTED) - len(missing)
    result.add(
        "issue-8 series present",
        f"{present}/{len(WANTED)}",
        "",
        f"{len(WANTED)}/{len(WANTED)}",
        not missing,
    )
    if missing:
        result.notes.append("missing: " + ", ".join(missing))
    result.details = {"series": sorted(names), "missing": missing}
    return result
