"""The HTTP surface beside POST /graphql: GET queries, SSE, health, readiness, metrics."""

import json
import logging

import httpx

from tests.gateway.conftest import DEMO_KEY, start_gateway

AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}


async def test_a_query_can_be_sent_with_get(gateway):
    response = await gateway.http.get(
        "/graphql", params={"query": "{ portfolio { stakeCount } }"}, headers=AUTH
    )
    assert response.status_code == 200
    assert response.json()["data"]["portfolio"]["stakeCount"] > 0


async def test_a_mutation_cannot_be_sent_with_get(gateway):
    response = await gateway.http.get(
        "/graphql",
        params={
            "query": "mutation { acceptStakingTerms(provider: ZEROHASH) { accepted } }"
        },
        headers=AUTH,
    )
    assert response.status_code in (400, 405)


async def test_health_and_readiness(gateway):
    assert (await gateway.http.get("/healthz")).json() == {"status": "ok"}
    ready = await gateway.http.get("/readyz")
    body = ready.json()
    assert ready.status_code == 200 and body["status"] == "ready"
    assert body["checks"] == {"database": "up", "bus": "up"}
    assert set(body["providers"]) == {"DFNS", "ZEROHASH", "CROCANTE"}


async def test_readiness_reports_a_provider_down_without_failing(gateway):
    await gateway.http.post("/sandbox/dfns/_sandbox/faults", json={"down": True})
    try:
        body = (await gateway.http.get("/readyz")).json()
    finally:
        await gateway.http.post("/sandbox/dfns/_sandbox/faults", json={"down": False})
    assert body["status"] == "ready" and body["degraded"] is True
    assert body["providers"]["DFNS"]["state"] != "UP"


async def test_metrics_show_upstream_calls_and_bus_counters(gateway):
    await gateway.graphql("{ stakes(first: 5) { edges { cursor } } }")
    text = (await gateway.http.get("/metrics")).text
    assert 'gateway_upstream_requests_total{method="GET"' in text
    assert "gateway_bus_events_published" in text
    assert "gateway_provider_circuit_open" in text
    assert 'gateway_operation_duration_seconds_bucket{le="0.005",type="query"}' in text
    assert "gateway_upstream_seconds_total" in text
    assert 'gateway_cache_hits_total{cache="api_keys"}' in text


async def test_metrics_count_dfns_rewards_totals_read_again_from_the_cache(gateway):
    query = (
        "{ stakes(first: 20, filter: {provider: [DFNS]}) { edges { node { id } } } }"
    )
    await gateway.graphql(query)
    await gateway.graphql(query)
    text = (await gateway.http.get("/metrics")).text
    line = next(
        x
        for x in text.splitlines()
        if x.startswith('gateway_cache_hits_total{cache="dfns_rewards"}')
    )
    assert float(line.rsplit(" ", 1)[1]) >= 1


async def test_metrics_count_loader_batches(gateway):
    await gateway.graphql("{ stakes(first: 20) { edges { node { product { id } } } } }")
    text = (await gateway.http.get("/metrics")).text
    assert 'gateway_loader_batches_total{loader="product"} 1.0' in text


async def test_error_and_loader_series_exist_from_zero_before_anything_happens(gateway):
    text = (await gateway.http.get("/metrics")).text
    for provider in ("DFNS", "ZEROHASH", "CROCANTE"):
        assert (
            f'gateway_upstream_error_answers_total{{provider="{provider}"}} 0.0' in text
        )
    for loader in ("product", "stake", "stake_rewards", "history"):
        assert f'gateway_loader_batches_total{{loader="{loader}"}} 0.0' in text
    for provider in ("zerohash", "dfns"):
        for outcome in ("accepted", "rejected"):
            labels = f'outcome="{outcome}",provider="{provider}"'
            assert f"gateway_webhooks_total{{{labels}}} 0.0" in text


async def test_a_subscription_works_over_server_sent_events(gateway):
    query = "subscription { stakeStatusChanged(provider: CROCANTE) { status } }"
    products = (
        await gateway.graphql("{ stakingProducts(provider: CROCANTE) { id } }")
    )["stakingProducts"]
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as stream_client:
        async with stream_client.stream(
            "POST",
            "/graphql",
            json={"query": query},
            headers={**AUTH, "Accept": "text/event-stream"},
        ) as stream:
            assert stream.status_code == 200
            await gateway.graphql(
                """mutation($input: CreateStakeInput!) {
                  createStake(input: $input) { userErrors { code } } }""",
                {"input": {"productId": products[-1]["id"], "amount": "100"}},
            )
            async for line in stream.aiter_lines():
                if line.startswith("data:") and "stakeStatusChanged" in line:
                    event = json.loads(line[5:])
                    assert event["data"]["stakeStatusChanged"]["status"] == "ACTIVE"
                    break


async def test_every_answer_carries_a_request_id_and_keeps_the_clients_own(gateway):
    fresh = await gateway.http.get("/healthz")
    assert len(fresh.headers["x-request-id"]) == 32
    mine = await gateway.http.get("/healthz", headers={"X-Request-ID": "trace-0001"})
    assert mine.headers["x-request-id"] == "trace-0001"
    refused = await gateway.http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"X-Request-ID": "trace-0002"},
    )
    assert (
        refused.status_code == 401 and refused.headers["x-request-id"] == "trace-0002"
    )


async def test_providers_are_called_with_the_requests_id(tmp_path, caplog):
    # No poller: its reads would be shared with ours, under its own (absent) id.
    async for gateway in start_gateway(tmp_path, WATCHER_ENABLED=False):
        await _called_with_the_requests_id(gateway, caplog)


async def _called_with_the_requests_id(gateway, caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="gateway.upstream"):
        response = await gateway.http.post(
            "/graphql",
            json={"query": "{ stakes(first: 5) { edges { node { id } } } }"},
            headers={
                "Authorization": f"Bearer {DEMO_KEY}",
                "X-Request-ID": "trace-0003",
            },
        )
    assert response.status_code == 200
    sent = {
        (r.provider, r.sent_request_id)
        for r in caplog.records
        if r.name == "gateway.upstream"
    }
    assert ("DFNS", "trace-0003") in sent and ("CROCANTE", "trace-0003") in sent
    # Zerohash's X-REQUEST-ID is its idempotency key: one of its own per call.
    zerohash = {rid for provider, rid in sent if provider == "ZEROHASH"}
    assert zerohash and "trace-0003" not in zerohash
