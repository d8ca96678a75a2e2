"""SIGTERM during a burst of webhooks, live subscriptions and slow provider calls: the
gateway refuses new work, answers what it holds, closes subscriptions with a close code,
exits within GATEWAY_SHUTDOWN_SECONDS, and every webhook it acknowledged is stored."""

import asyncio
import json
import re
import signal
import sqlite3
import time

import httpx
import pytest
import websockets
from pydantic import SecretStr

from providers.dfns.webhooks import dfns_webhook_signature
from tests.gateway.conftest import DEMO_KEY
from tests.gateway.processes import gateway_process
from tests.gateway.ws import subscriber
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

SHUTDOWN_SECONDS = 8  # half of it for requests in flight to finish
PROVIDER_LATENCY = 1.5  # a Dfns call: inside that half, and long enough to see the stop
SECRET = "dfns-webhook-secret"
WATCH = "subscription { stakeStatusChanged { cursor status stake { id } } }"
STAKES = (
    "query { stakes(filter: {provider: [DFNS]}, first: 5) { edges { node { id } } } }"
)


def dfns_event(event_id: str) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "kind": "wallet.transaction.confirmed",
            "date": "2026-11-22T10:00:00Z",
            "data": {"walletId": "wa-demo0-00000-00000000000000"},
            "timestampSent": int(time.time()),
            "deliveryAttempt": 1,
        }
    ).encode()


class Burst:
    """Webhook deliveries, each a new event, sent by several senders until refused."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: dict[str, int | None] = {}  # event id -> status, None: no answer
        self.refused = asyncio.Event()

    async def sender(self, name: str) -> None:
        # A connection per delivery, as Dfns's many senders would.
        for n in range(10_000):
            event_id = f"evt-{name}-{n}"
            body = dfns_event(event_id)
            signature = dfns_webhook_signature(SecretStr(SECRET), body)
            try:
                async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
                    answer = await http.post(
                        "/webhooks/dfns",
                        content=body,
                        headers={"X-DFNS-WEBHOOK-SIGNATURE": signature},
                    )
                self.answers[event_id] = answer.status_code
            except httpx.ConnectError:
                self.answers[event_id] = None
                self.refused.set()
                return
            except httpx.TransportError:  # cut off mid-answer: not acknowledged
                self.answers[event_id] = None

    @property
    def acknowledged(self) -> set[str]:
        return {e for e, status in self.answers.items() if status and status < 300}


async def metric(url: str, pattern: str) -> float:
    """The sum of the /metrics samples matching `pattern` (a regex of the sample name
    and labels)."""
    async with httpx.AsyncClient(base_url=url) as http:
        text = (await http.get("/metrics")).text
    return sum(
        float(value) for value in re.findall(rf"^{pattern} ([\d.e+-]+)$", text, re.M)
    )


def dfns_calls(url: str):
    return metric(url, r'gateway_upstream_requests_total\{[^}]*provider="DFNS"[^}]*\}')


async def test_sigterm_mid_burst_stops_in_time_and_loses_no_acknowledged_webhook(
    tmp_path,
):
    database = tmp_path / "gateway.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "DFNS_WEBHOOK_SECRET": SECRET,
        "GATEWAY_SHUTDOWN_SECONDS": str(SHUTDOWN_SECONDS),
        "PROVIDER_TIMEOUT_SECONDS": "20",
        # One poll at start, then none during the test: the provider calls counted
        # below are the reads' own.
        "WATCHER_FAST_SECONDS": "300",
        "WATCHER_SLOW_SECONDS": "300",
    }
    log = tmp_path / "gateway.log"
    async with gateway_process(env, output=log) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as http:
            delay = {"latency_ms": PROVIDER_LATENCY * 1000}
            assert (
                await http.post("/sandbox/dfns/_sandbox/faults", json=delay)
            ).is_success

        async with (
            subscriber(gateway.url, DEMO_KEY) as first,
            subscriber(gateway.url, DEMO_KEY) as second,
        ):
            for client in (first, second):
                await client.subscribe(WATCH)
            await eventually(
                lambda: metric(gateway.url, "gateway_subscriptions"), within=20
            )
            await eventually(
                lambda: metric(gateway.url, r'gateway_watcher_polls_total\{provider="DFNS"\}'),
                within=20,
            )  # fmt: skip

            burst = Burst(gateway.url)
            senders = [asyncio.create_task(burst.sender(str(i))) for i in range(6)]
            await eventually(lambda: len(burst.acknowledged) >= 30, within=60)

            async def read(query: str) -> httpx.Response:
                async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as http:
                    return await http.post(
                        "/graphql",
                        json={"query": query},
                        headers={"Authorization": f"Bearer {DEMO_KEY}"},
                    )

            before = await dfns_calls(gateway.url)
            reads = [asyncio.create_task(read(STAKES)) for _ in range(3)]

            async def reads_wait_on_dfns() -> bool:  # the same reads share one call
                return await dfns_calls(gateway.url) > before

            await eventually(reads_wait_on_dfns, within=20)

            stopping = time.monotonic()
            gateway.process.send_signal(signal.SIGTERM)
            await eventually(burst.refused.is_set, within=SHUTDOWN_SECONDS)
            # Refused while the reads it holds are still to be answered: during the stop.
            assert not any(r.done() for r in reads)

            closes = []
            for client in (first, second):
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    while True:
                        await client.next_message(within=SHUTDOWN_SECONDS)
                closes.append(closed.value.rcvd.code if closed.value.rcvd else None)
            await asyncio.wait_for(gateway.process.wait(), SHUTDOWN_SECONDS + 5)
            stopped_after = time.monotonic() - stopping
            answered = await asyncio.gather(*reads)
            await asyncio.gather(*senders)

    output = log.read_text(errors="replace")
    assert stopped_after < SHUTDOWN_SECONDS, output[-3000:]
    assert "left behind" not in output
    assert closes == [1012, 1012]  # "service restart": the client reconnects elsewhere
    # In flight at SIGTERM: finished, and answered.
    assert [(r.status_code, "data" in r.json()) for r in answered] == [(200, True)] * 3
    with sqlite3.connect(database) as db:
        stored = {
            key.removeprefix("event:")
            for (key,) in db.execute(
                "SELECT dedupe_key FROM webhook_event WHERE provider = 'DFNS'"
            )
        }
    assert burst.acknowledged <= stored  # nothing acknowledged is lost
    assert len(burst.acknowledged) >= 30
