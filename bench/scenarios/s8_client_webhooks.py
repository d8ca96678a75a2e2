"""S8: our clients' webhooks: deliveries per second, with zero loss.

A client registers an endpoint for `reward.received` on a receiver in the bench's own
process. Signed Zerohash reward webhooks for the client's own participant then arrive
at /webhooks/zerohash as fast as they are accepted (as in S6); each becomes a status
event, and the gateway's sender fans it out from the outbox and POSTs it, signed. The
rate counts from the first webhook sent to the last delivery received, so it is the
whole path's: ingest, outbox, fan-out, sending.
"""

import secrets
import time

from pydantic import SecretStr

from bench import queries
from bench.cluster import Cluster
from bench.profile import Profile
from bench.receiver import bench_receiver
from bench.report import ScenarioResult
from bench.scenarios.s6_webhooks import sent_once, signed_reward_webhooks
from bench.stats import median_of
from gateway.domain.enums import Provider

# Every event reaches the receiver within this, or it counts as lost.
DELIVERY_DEADLINE_S = 120


async def run(cluster: Cluster, profile: Profile) -> ScenarioResult:
    result = ScenarioResult("S8", "client webhook deliveries")
    secret = SecretStr(cluster.creds.zerohash_webhook_secret)
    runs = []
    for r in range(profile.repeats + 1):  # the first is the warm-up
        n = profile.s8_events if r else min(100, profile.s8_events)
        participant = f"W{secrets.token_hex(3).upper()}"
        key = await cluster.create_client(
            f"bench-webhooks-{participant}", {Provider.ZEROHASH: [participant]}
        )
        async with bench_receiver() as receiver:
            registered = (
                await cluster.graphql(
                    key, queries.REGISTER_WEBHOOK, {"url": receiver.url}
                )
            )["createWebhookEndpoint"]
            if registered["userErrors"]:
                result.check(False, f"endpoint refused: {registered['userErrors']}")
                return result
            receiver.secret = registered["secret"]
            requests = signed_reward_webhooks(
                secret, participant, f"bench-s8-{participant}", n, 0
            )
            began = time.monotonic()
            load = await cluster.load(sent_once(requests, profile.s6_connections))
            arrived = await receiver.wait_for_distinct(n, DELIVERY_DEADLINE_S)
            distinct = receiver.distinct()
            last = max((a.at for a in receiver.arrivals), default=began)
            unsigned = sum(not a.signed for a in receiver.arrivals)
        result.check(load["errors"] == 0, f"webhooks refused: {load['sample_error']}")
        result.check(
            arrived,
            f"{len(distinct)} of {n} events delivered in {DELIVERY_DEADLINE_S} s",
        )
        result.check(unsigned == 0, f"{unsigned} deliveries did not verify")
        if r:
            runs.append(
                {
                    "events": n,
                    "delivered": len(distinct),
                    "attempts": len(receiver.arrivals),
                    "ingest_rate": load["throughput"],
                    "rate": round(len(distinct) / max(last - began, 1e-9), 1),
                }
            )
    rate = median_of(runs, "rate")
    result.add("delivered", rate, "events/s")
    lost = sum(r["events"] - r["delivered"] for r in runs)
    repeated = sum(r["attempts"] - r["delivered"] for r in runs)
    result.add(
        "lost | sent twice", f"{lost} | {repeated}", "", "0 | 0", lost == repeated == 0
    )
    result.add("ingest alone (as S6)", median_of(runs, "ingest_rate"), "events/s")
    result.details = {"runs": runs}
    return result
