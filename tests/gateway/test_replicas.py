"""Two gateway processes on one PostgreSQL and one Redis: events cross replicas, and each
provider is polled by one replica at a time."""

import asyncio
import re
import time

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.gateway.conftest import DEMO_KEY
from tests.gateway.processes import fresh_postgres_database, gateway_process, graphql
from tests.gateway.ws import subscriber
from tests.waiting import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]

PRODUCTS = """query { stakingProducts(provider: CROCANTE) { id providerProductId } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id } userErrors { code } } }"""
WATCH = """subscription { stakeStatusChanged(provider: CROCANTE) {
  cursor status source stake { id } } }"""


async def polls(url: str) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=url) as http:
        text = (await http.get("/metrics")).text
    return {
        m.group(1): float(m.group(2))
        for m in re.finditer(
            r'gateway_watcher_polls_total\{provider="(\w+)"\} ([\d.]+)', text
        )
    }


PROVIDERS = ("DFNS", "ZEROHASH", "CROCANTE")


async def gauge(url: str, name: str) -> float:
    async with httpx.AsyncClient(base_url=url) as http:
        text = (await http.get("/metrics")).text
    found = re.search(rf"^{re.escape(name)} ([\d.]+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def polled_all(url: str) -> bool:
    counts = await polls(url)
    return all(counts.get(p, 0) > 0 for p in PROVIDERS)


async def polled_more(url: str, than: float) -> bool:
    return sum((await polls(url)).values()) > than


async def test_an_event_seen_by_one_replica_reaches_a_subscriber_on_the_other():
    async with fresh_postgres_database() as database:
        env = {
            "DATABASE_URL": database,
            "REDIS_URL": REDIS_URL,
            "WATCHER_FAST_SECONDS": "0.3",
            "WATCHER_LEASE_SECONDS": "5",  # no handover under a loaded CI box
        }
        async with gateway_process(env) as first, gateway_process(env) as second:
            products = (await graphql(first.url, PRODUCTS))["stakingProducts"]
            product = next(
                p["id"]
                for p in products
                if p["providerProductId"] == "stake_eth_variable"
            )
            async with subscriber(second.url, DEMO_KEY) as client:
                await client.subscribe(WATCH)
                # Live on the other replica's bus before anything happens on the first.
                await eventually(
                    lambda: gauge(second.url, "gateway_bus_subscribers"), within=20
                )
                created = await graphql(
                    first.url, CREATE, {"input": {"productId": product, "amount": "1"}}
                )
                event = (await client.next_data())["stakeStatusChanged"]
            assert event["stake"]["id"] == created["createStake"]["stake"]["id"]
            assert event["source"] == "MUTATION"

            async def both_polled() -> tuple[dict[str, float], dict[str, float]] | None:
                one, other = await polls(first.url), await polls(second.url)
                merged = {p: one.get(p, 0) + other.get(p, 0) for p in PROVIDERS}
                return (one, other) if all(merged.values()) else None

            one, other = await eventually(both_polled, within=20)
            for provider in ("DFNS", "ZEROHASH", "CROCANTE"):
                counts = (one.get(provider, 0), other.get(provider, 0))
                assert min(counts) == 0 and max(counts) > 0, (provider, counts)


async def test_a_replica_that_dies_hands_its_polling_over_within_seconds():
    async with fresh_postgres_database() as database:
        env = {
            "DATABASE_URL": database,
            "REDIS_URL": REDIS_URL,
            "WATCHER_FAST_SECONDS": "0.3",
            "WATCHER_LEASE_SECONDS": "1.5",
        }
        async with gateway_process(env) as first:
            await eventually(lambda: polled_all(first.url), within=20)
            async with gateway_process(env) as second:
                # The lease holder goes on polling; the newcomer waits its turn.
                before = sum((await polls(first.url)).values())
                await eventually(lambda: polled_more(first.url, than=before), within=20)
                assert sum((await polls(second.url)).values()) == 0
                first.kill()
                await first.process.wait()
                killed = time.monotonic()
                await eventually(lambda: polled_all(second.url), within=20)
                # Within the 1.5 s lease and a poll, with room for a loaded box.
                assert time.monotonic() - killed < 10


async def creates_sent(url: str) -> float:
    async with httpx.AsyncClient(base_url=url) as http:
        text = (await http.get("/metrics")).text
    pattern = (
        r'gateway_upstream_requests_total\{method="POST",path="/sandbox/crocante/staking",'
        r'provider="CROCANTE"\} ([\d.]+)'
    )
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


async def test_one_external_id_sent_to_two_replicas_at_once_reaches_the_provider_once():
    async with fresh_postgres_database() as database:
        env = {
            "DATABASE_URL": database,
            "REDIS_URL": REDIS_URL,
            "WATCHER_ENABLED": "false",
        }
        async with gateway_process(env) as first, gateway_process(env) as second:
            products = (await graphql(first.url, PRODUCTS))["stakingProducts"]
            product = next(
                p["id"]
                for p in products
                if p["providerProductId"] == "stake_eth_variable"
            )
            variables = {
                "input": {"productId": product, "amount": "1", "externalId": "order-77"}
            }
            results = await asyncio.gather(
                graphql(first.url, CREATE, variables),
                graphql(second.url, CREATE, variables),
            )
            ids = {r["createStake"]["stake"]["id"] for r in results}
            assert len(ids) == 1
            assert await creates_sent(first.url) + await creates_sent(second.url) == 1
