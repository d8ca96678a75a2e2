"""An action held in one provider status past its threshold raises `action.stuck` once:
to `actionStatusChanged` (stuck: true), to the webhooks and to /metrics; it clears when
the action moves. The Zerohash sandbox is held still (the `hold` fault) to make it so."""

import re

import httpx
import pytest

from gateway.domain.enums import Provider
from gateway.services.stuck import StuckThresholds
from tests.gateway.conftest import DEMO_KEY, start_gateway
from tests.gateway.receiver import webhook_receiver
from tests.gateway.test_client_webhooks import eventually
from tests.gateway.ws import subscriber

PRODUCTS = """query { stakingProducts(provider: ZEROHASH) { id asset { symbol } } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id } action { id providerStatus } userErrors { code } } }"""
WATCH = """subscription { actionStatusChanged(provider: ZEROHASH) {
  cursor status stuck action { id providerStatus } } }"""
REGISTER = """mutation($url: String!) { createWebhookEndpoint(input: {url: $url,
  eventTypes: [ACTION_STUCK]}) { secret userErrors { code } } }"""


@pytest.fixture
async def gateway(tmp_path):
    async for running in start_gateway(
        tmp_path,
        WATCHER_FAST_SECONDS=0.3,
        GATEWAY_STUCK_CHECK_SECONDS=0.2,
        GATEWAY_STUCK_THRESHOLDS="ZEROHASH:submitted=1s,DFNS:InProgress=1h",
        GATEWAY_WEBHOOK_POLL_SECONDS=0.2,
    ):
        yield running


async def metric(gateway, name: str, provider: str | None = None) -> float:
    text = (await gateway.http.get("/metrics")).text
    labels = rf'\{{provider="{provider}"\}}' if provider else ""
    found = re.search(rf"^{name}{labels} ([\d.]+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def test_thresholds_read_provider_status_and_duration():
    parsed = StuckThresholds.parse("ZEROHASH:broadcasted=2h, DFNS:InProgress=90m")
    assert parsed.limit(Provider.ZEROHASH, "broadcasted") == 7200
    assert parsed.limit(Provider.DFNS, "inprogress") == 5400
    assert parsed.limit(Provider.CROCANTE, "anything") is None
    for wrong in ("ZEROHASH=2h", "NOBODY:x=1s", "ZEROHASH:x=2w"):
        with pytest.raises(ValueError):
            StuckThresholds.parse(wrong)


async def test_a_held_action_raises_one_stuck_alert_that_clears_when_it_moves(gateway):
    hold = await gateway.http.post(
        "/sandbox/zerohash/_sandbox/faults", json={"hold": True}
    )
    assert hold.json()["hold"] is True
    products = (await gateway.graphql(PRODUCTS))["stakingProducts"]
    eth = next(p["id"] for p in products if p["asset"]["symbol"] == "ETH")
    async with webhook_receiver() as hook, subscriber(gateway.url, DEMO_KEY) as ws:
        hook.secret = (await gateway.graphql(REGISTER, {"url": hook.url}))[
            "createWebhookEndpoint"
        ]["secret"]
        await ws.subscribe(WATCH)
        created = (
            await gateway.graphql(CREATE, {"input": {"productId": eth, "amount": "1"}})
        )["createStake"]
        action_id = created["action"]["id"]
        assert created["action"]["providerStatus"] == "submitted"

        events = []
        while not any(e["stuck"] for e in events):
            event = (await ws.next_data(within=15))["actionStatusChanged"]
            if event["action"]["id"] == action_id:
                events.append(event)
        alert = events[-1]
        assert alert["status"] == "PENDING"
        assert alert["action"]["providerStatus"] == "submitted"

        [stuck] = await hook.wait_for(lambda got: len(got) >= 1)
        assert hook.signed(stuck)
        body = stuck.json
        assert body["type"] == "action.stuck" and body["data"]["stuck"] is True
        assert body["data"]["action"]["id"] == action_id
        assert body["cursor"] == alert["cursor"]
        assert await metric(gateway, "gateway_stuck_actions", "ZEROHASH") == 1
        assert await metric(gateway, "gateway_stuck_alerts_total", "ZEROHASH") == 1

        # Once: more checks raise nothing more while it stays where it is.
        checks = await metric(gateway, "gateway_stuck_checks_total")

        async def checked_thrice() -> bool:
            return await metric(gateway, "gateway_stuck_checks_total") >= checks + 3

        await eventually(checked_thrice)
        assert await metric(gateway, "gateway_stuck_alerts_total", "ZEROHASH") == 1

        # Released and moved on, the action changes; the alert clears.
        await gateway.http.post("/sandbox/zerohash/_sandbox/faults", json={})
        await gateway.advance("zerohash", 2 * 86400)
        moved = None
        while moved is None:
            event = (await ws.next_data(within=15))["actionStatusChanged"]
            if event["action"]["id"] == action_id and not event["stuck"]:
                moved = event
        assert moved["action"]["providerStatus"] != "submitted"

        async def cleared() -> bool:
            return await metric(gateway, "gateway_stuck_actions", "ZEROHASH") == 0

        await eventually(cleared)
    assert len(hook.received) == 1, "one alert, sent once"


async def test_holding_a_sandbox_stops_its_clock_and_advance(gateway):
    async with httpx.AsyncClient(base_url=gateway.url) as http:
        await http.post("/sandbox/crocante/_sandbox/faults", json={"hold": True})
        before = (await http.get("/sandbox/crocante/_sandbox/clock")).json()["now"]
        await http.post(
            "/sandbox/crocante/_sandbox/clock", json={"advance_seconds": 60}
        )
        assert (await http.get("/sandbox/crocante/_sandbox/clock")).json()[
            "now"
        ] == before
        await http.post("/sandbox/crocante/_sandbox/faults", json={"hold": False})
        await http.post(
            "/sandbox/crocante/_sandbox/clock", json={"advance_seconds": 60}
        )
        after = (await http.get("/sandbox/crocante/_sandbox/clock")).json()["now"]
    assert after > before
