"""Zerohash webhooks at the gateway: verified, de-duplicated, monotonic, and nothing is
stored from a request that fails verification."""

import json
import time
import uuid

from pydantic import SecretStr
from sqlalchemy import text

from gateway.domain.enums import Provider
from gateway.store.engine import create_engine
from providers.zerohash.webhooks import webhook_signature

PRODUCTS = """query { stakingProducts(provider: ZEROHASH) { id asset { symbol } } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id providerStakeId status } userErrors { code } } }"""
STAKE = """query($id: ID!) { stake(id: $id) { status
  statusHistory { to providerStatus source } } }"""


def secret(gateway):
    sandbox = gateway.app.state.sandboxes[Provider.ZEROHASH]
    return sandbox.gateway_config("http://unused/").webhook_secret


def event(stake_id: str, status: str, **extra) -> bytes:
    body = {
        "event_type": f"stake.{status}",
        "participant_code": "DEMO01",
        "account_label": "general",
        "stake_id": stake_id,
        "asset": "ETH",
        "amount": "1.5",
        "status": status,
        "occurred_at": "2026-11-22T10:00:00Z",
        "timestamp": "2026-11-22T10:00:00Z",
        **extra,
    }
    return json.dumps(body, separators=(",", ":")).encode()


async def deliver(
    gateway, body: bytes, *, notification=None, sign_with=None, sent_ms=None
):
    sent = str(sent_ms if sent_ms is not None else int(time.time() * 1000))
    key = sign_with or secret(gateway)
    headers = {
        "content-type": "application/json",
        "x-zh-hook-notification-id": notification or str(uuid.uuid4()),
        "x-zh-hook-payload-type": "stake",
        "x-zh-hook-timestamp": sent,
        "x-zh-hook-signature": webhook_signature(key, body, sent),
    }
    return await gateway.http.post("/webhooks/zerohash", content=body, headers=headers)


async def stored_webhooks(gateway, stake_id: str) -> int:
    """Stored deliveries about this stake (the sandbox pushes its own meanwhile)."""
    engine = create_engine(gateway.app.state.settings.effective_database_url)
    query = text("SELECT count(*) FROM webhook_event WHERE dedupe_key LIKE :pattern")
    try:
        async with engine.connect() as connection:
            found = await connection.execute(query, {"pattern": f"%{stake_id}:staked%"})
            return int(found.scalar() or 0)
    finally:
        await engine.dispose()


async def new_zerohash_stake(gateway) -> dict:
    products = (await gateway.graphql(PRODUCTS))["stakingProducts"]
    eth = next(p["id"] for p in products if p["asset"]["symbol"] == "ETH")
    created = await gateway.graphql(
        CREATE, {"input": {"productId": eth, "amount": "1.5"}}
    )
    return created["createStake"]["stake"]


async def test_out_of_order_and_repeated_deliveries_leave_one_record_each_and_no_regress(
    gateway,
):
    stake = await new_zerohash_stake(gateway)
    sid = stake["providerStakeId"]
    staked = await deliver(gateway, event(sid, "staked"), notification="n-1")
    assert staked.status_code == 200 and staked.json()["duplicate"] is False
    late = await deliver(gateway, event(sid, "broadcasted"))
    assert late.status_code == 200
    again = await deliver(gateway, event(sid, "staked"), notification="n-1")
    assert again.json()["duplicate"] is True
    same_fact = await deliver(gateway, event(sid, "staked"), notification="n-2")
    assert same_fact.json()["duplicate"] is True

    found = (await gateway.graphql(STAKE, {"id": stake["id"]}))["stake"]
    history = [
        (h["to"], h["providerStatus"], h["source"]) for h in found["statusHistory"]
    ]
    # Recorded once, by whichever told us first: our mutation or the provider's own push.
    assert history[0][:2] == ("PENDING", "submitted")
    assert history.count(("ACTIVE", "staked", "WEBHOOK")) == 1
    # The late "broadcasted" is kept as a record but never moves ACTIVE back.
    assert history[-1][0] == "ACTIVE"


async def test_a_badly_signed_expired_or_tampered_webhook_is_refused_and_not_stored(
    gateway,
):
    stake = await new_zerohash_stake(gateway)
    sid = stake["providerStakeId"]

    wrong = await deliver(gateway, event(sid, "staked"), sign_with=SecretStr("not-it"))
    expired = await deliver(
        gateway, event(sid, "staked"), sent_ms=int((time.time() - 3600) * 1000)
    )
    body = event(sid, "staked")
    sent = str(int(time.time() * 1000))
    tampered = await gateway.http.post(
        "/webhooks/zerohash",
        content=body.replace(b'"1.5"', b'"1500"'),
        headers={
            "x-zh-hook-notification-id": "n-t",
            "x-zh-hook-timestamp": sent,
            "x-zh-hook-signature": webhook_signature(secret(gateway), body, sent),
        },
    )
    unsigned = await gateway.http.post("/webhooks/zerohash", content=body)
    assert [r.status_code for r in (wrong, expired, tampered, unsigned)] == [401] * 4
    assert await stored_webhooks(gateway, sid) == 0
    found = (await gateway.graphql(STAKE, {"id": stake["id"]}))["stake"]
    assert "staked" not in {h["providerStatus"] for h in found["statusHistory"]}


async def test_an_oversized_webhook_is_refused(gateway):
    response = await deliver(gateway, b"{" + b" " * (300 * 1024) + b"}")
    assert response.status_code == 413


def dfns_event(event_id: str, retry_of: str | None = None) -> bytes:
    body = {
        "id": event_id,
        "kind": "wallet.transaction.confirmed",
        "date": "2026-11-22T10:00:00Z",
        "data": {"walletId": "wa-demo0-00000-00000000000000"},
        "timestampSent": int(time.time()),
        "deliveryAttempt": 1 if retry_of is None else 2,
        **({"retryOf": retry_of} if retry_of else {}),
    }
    return json.dumps(body).encode()


async def test_dfns_webhooks_are_verified_and_kept_once_across_retries(tmp_path):
    from providers.dfns.webhooks import dfns_webhook_signature
    from tests.gateway.conftest import start_gateway

    key = SecretStr("dfns-webhook-secret")
    async for gateway in start_gateway(
        tmp_path, DFNS_WEBHOOK_SECRET="dfns-webhook-secret", WATCHER_ENABLED=False
    ):

        async def send(body: bytes, signature: str | None = None, gateway=gateway):
            return await gateway.http.post(
                "/webhooks/dfns",
                content=body,
                headers={
                    "X-DFNS-WEBHOOK-SIGNATURE": signature
                    or dfns_webhook_signature(key, body)
                },
            )

        first = await send(dfns_event("wh-1"))
        retried = await send(dfns_event("wh-2", retry_of="wh-1"))
        forged = await send(dfns_event("wh-3"), signature="sha256=" + "0" * 64)
        assert first.json() == {"received": True, "duplicate": False}
        assert retried.json()["duplicate"] is True
        assert forged.status_code == 401


def reward_event(distribution: str) -> bytes:
    body = {
        "event_type": "staking_reward.received",
        "participant_code": "DEMO01",
        "account_label": "general",
        "stake_id": "stake-for-rewards",
        "asset": "ETH",
        "distribution_id": distribution,
        "reward_amount": "0.001",
        "cumulative_rewards_amount": "0.5",
        "credited_at": "2026-11-22T10:00:00Z",
        "status": "credited",
        "timestamp": "2026-11-22T10:00:00Z",
    }
    return json.dumps(body, separators=(",", ":")).encode()


async def test_a_burst_of_deliveries_is_stored_once_each_and_answered_after_storing(
    gateway,
):
    import asyncio

    bodies = [reward_event(f"dist-{i}") for i in range(40)]
    again = [reward_event(f"dist-{i}") for i in range(10)]
    answers = await asyncio.gather(*(deliver(gateway, b) for b in [*bodies, *again]))
    assert {a.status_code for a in answers} == {200}
    fresh = sum(1 for a in answers if a.json()["duplicate"] is False)
    assert fresh == 40
    engine = create_engine(gateway.app.state.settings.effective_database_url)
    try:
        async with engine.connect() as connection:
            stored = await connection.execute(
                text(
                    "SELECT count(*) FROM webhook_event WHERE dedupe_key LIKE 'reward:%dist-%'"
                )
            )
            assert stored.scalar() == 40
    finally:
        await engine.dispose()
