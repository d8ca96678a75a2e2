"""S6: signed Zerohash webhooks at /webhooks/zerohash as fast as they are accepted, with
zero loss and zero duplicates (rows counted in the gateway's database afterwards).

Reward events need no upstream read, so this measures the gateway's own ingest path:
verify, de-duplicate, store, record history, publish. Some events are sent twice.
"""

import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr
from sqlalchemy import text

from bench.cluster import Cluster
from bench.profile import Profile
from bench.report import ScenarioResult
from bench.stats import median_of
from providers.zerohash.webhooks import webhook_signature

TARGET_RATE = 1000


def _event(participant: str, reward_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return {
        "event_type": "staking_reward.received",
        "timestamp": now,
        "occurred_at": now,
        "participant_code": participant,
        "account_label": "general",
        "asset": "ETH",
        "distribution_id": reward_id,
        "reward_amount": "0.000123",
        "credited_at": now,
        "status": "credited",
    }


def signed_reward_webhooks(
    secret: SecretStr, participant: str, prefix: str, n: int, dups: int
) -> list[dict[str, Any]]:
    made = []
    for i in range(n):
        body = json.dumps(_event(participant, f"{prefix}-{i}"))
        stamp = str(int(time.time() * 1000))
        made.append(
            {
                "method": "POST",
                "path": "/webhooks/zerohash",
                "headers": {
                    "Content-Type": "application/json",
                    "x-zh-hook-notification-id": f"{prefix}-n{i}",
                    "x-zh-hook-payload-type": "staking_reward.received",
                    "x-zh-hook-timestamp": stamp,
                    "x-zh-hook-signature": webhook_signature(
                        secret, body.encode(), stamp
                    ),
                },
                "body": body,
            }
        )
    # A provider's retry: the very same delivery again, interleaved with new ones.
    step = max(1, n // max(1, dups))
    for j in range(dups):
        made.insert(min(len(made), (j + 1) * step + j), made[(j * step) % n])
    return made


def sent_once(
    requests: list[dict[str, Any]], connections: int, **extra: Any
) -> dict[str, Any]:
    """The load generator's spec: each request sent once, as fast as it is answered."""
    return {
        "mode": "closed",
        "connections": connections,
        "duration_s": 300,
        "once": True,
        "requests": requests,
        **extra,
    }


async def _rows(cluster: Cluster, prefix: str) -> dict[str, int]:
    assert cluster.store is not None
    async with cluster.store.engine.connect() as conn:
        webhook = (
            await conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT dedupe_key) FROM webhook_event"
                    " WHERE event_id LIKE :p"
                ),
                {"p": f"{prefix}-%"},
            )
        ).one()
        history = (
            await conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT entity_id) FROM status_event"
                    " WHERE entity_id LIKE :p"
                ),
                {"p": f"{prefix}-%"},
            )
        ).one()
    return {
        "webhook_rows": webhook[0],
        "webhook_distinct": webhook[1],
        "history_rows": history[0],
        "history_distinct": history[1],
    }


async def run(cluster: Cluster, profile: Profile) -> ScenarioResult:
    result = ScenarioResult("S6", "webhook ingest")
    secret = SecretStr(cluster.creds.zerohash_webhook_secret)
    participant = cluster.demo_owners["zerohash"][0]
    runs = []
    for r in range(profile.repeats + 1):  # the first is the warm-up
        prefix = f"bench-{secrets.token_hex(4)}"
        n = profile.s6_events if r else min(200, profile.s6_events)
        dups = profile.s6_duplicates if r else 0
        requests = signed_reward_webhooks(secret, participant, prefix, n, dups)
        load = await cluster.load(
            sent_once(
                requests,
                profile.s6_connections,
                markers=['"duplicate":true'],
                bad_markers=['"received":false'],
            )
        )
        rows = await _rows(cluster, prefix)
        if r:
            runs.append(
                {
                    "events": n,
                    "duplicates_sent": dups,
                    "load": load,
                    "rows": rows,
                    "rate": load["throughput"],
                }
            )
        result.check(
            load["errors"] == 0 and load["bad"] == 0,
            f"webhooks refused: {load['sample_error']}",
        )
        result.check(
            rows["webhook_rows"] == n == rows["webhook_distinct"],
            f"webhook rows {rows} for {n} events",
        )
        result.check(
            rows["history_rows"] == n == rows["history_distinct"],
            f"history rows {rows} for {n} events",
        )
        result.check(
            load["markers"]['"duplicate":true'] == dups,
            f"{load['markers']} duplicates acknowledged, {dups} sent",
        )
    rate = median_of(runs, "rate")
    result.add("accepted", rate, "events/s", f">= {TARGET_RATE}", rate >= TARGET_RATE)
    lost = sum(r["events"] - r["rows"]["webhook_rows"] for r in runs)
    doubled = sum(
        r["rows"]["history_rows"] - r["rows"]["history_distinct"] for r in runs
    )
    result.add(
        "lost | duplicated",
        f"{lost} | {doubled}",
        "",
        "0 | 0",
        lost == 0 and doubled == 0,
    )
    result.add(
        "p99 latency", median_of([r["load"]["latency_ms"] for r in runs], "p99"), "ms"
    )
    result.details = {"connections": profile.s6_connections, "runs": runs}
    return result
