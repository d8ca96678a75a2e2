"""Client identity in every signal: the app and version a request names, and its
operation, label /metrics and the operation log, with bounded cardinality."""

import json
import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import websockets
from prometheus_client.parser import text_string_to_metric_families

from tests.gateway.conftest import DEMO_KEY, RunningGateway, start_gateway

pytestmark = pytest.mark.asyncio(loop_scope="module")

AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(tmp_path_factory) -> AsyncIterator[RunningGateway]:
    async for running in start_gateway(
        tmp_path_factory.mktemp("identity"), WATCHER_ENABLED=False
    ):
        yield running


async def run(gateway, name: str, headers: dict[str, str], query: str | None = None):
    response = await gateway.http.post(
        "/graphql",
        json={"query": query or f"query {name} {{ __typename }}"},
        headers={**AUTH, **headers},
    )
    assert response.status_code == 200, response.text


async def operations(gateway) -> list[dict[str, str]]:
    """The label sets of gateway_operations_total, each with its count."""
    text = (await gateway.http.get("/metrics")).text
    rows = []
    for family in text_string_to_metric_families(text):
        if family.name != "gateway_operations":
            continue
        for sample in family.samples:
            if sample.name == "gateway_operations_total":
                rows.append({**sample.labels, "count": sample.value})
    return rows


def counted(rows, **labels) -> float:
    return sum(
        row["count"]
        for row in rows
        if all(row.get(key) == value for key, value in labels.items())
    )


async def test_graphql_client_headers_and_the_operation_label_the_metrics(gateway):
    headers = {"graphql-client-name": "web", "graphql-client-version": "2.3.1"}
    await run(gateway, "Overview", headers)
    await run(gateway, "Overview", headers)
    rows = await operations(gateway)
    assert (
        counted(
            rows,
            client="web",
            client_version="2.3.1",
            operation="Overview",
            type="query",
            outcome="ok",
        )
        == 2
    )


async def test_apollo_client_headers_are_read_as_well(gateway):
    await run(
        gateway,
        "Apollo",
        {"apollographql-client-name": "web", "apollographql-client-version": "2.4.0"},
    )
    rows = await operations(gateway)
    assert counted(rows, client="web", client_version="2.4.0", operation="Apollo") == 1


async def test_a_request_naming_no_client_is_counted_under_empty_labels(gateway):
    await run(gateway, "Anonymous", {})
    rows = await operations(gateway)
    assert counted(rows, client="", client_version="", operation="Anonymous") == 1


async def test_rejected_operations_are_counted_apart(gateway):
    await run(
        gateway, "Broken", {"graphql-client-name": "web"}, "query Broken { nope }"
    )
    rows = await operations(gateway)
    assert counted(rows, client="web", outcome="rejected") == 1


async def test_names_past_the_cap_fold_into_other_and_known_clients_never_do(
    tmp_path,
):
    async for capped in start_gateway(
        tmp_path,
        WATCHER_ENABLED=False,
        GATEWAY_CLIENT_NAMES="dashboard",
        GATEWAY_MAX_CLIENT_LABELS=2,
        GATEWAY_MAX_CLIENT_VERSION_LABELS=3,
        GATEWAY_MAX_OPERATION_LABELS=4,
    ):
        for client in ("web", "ios", "android", "desktop"):
            await run(capped, "Overview", {"graphql-client-name": client})
        await run(capped, "Overview", {"graphql-client-name": "dashboard"})
        for index in range(6):
            await run(capped, f"Generated{index}", {"graphql-client-name": "web"})
        for version in ("1.0", "1.1", "1.2", "1.3", "1.4"):
            headers = {"graphql-client-name": "web", "graphql-client-version": version}
            await run(capped, "Overview", headers)
        rows = await operations(capped)
    # The first two names fit the cap; dashboard is configured, so it always does.
    assert {row["client"] for row in rows} == {"web", "ios", "dashboard", "other"}
    assert {row["operation"] for row in rows} == {
        "Overview",
        "Generated0",
        "Generated1",
        "Generated2",
        "other",
    }
    assert {row["client_version"] for row in rows} == {"", "1.0", "1.1", "1.2", "other"}


async def test_a_value_that_is_not_a_plain_name_is_never_kept_as_sent(gateway):
    await run(gateway, "Overview", {"graphql-client-name": 'x"} {evil="1'})
    await run(gateway, "Overview", {"graphql-client-name": "n" * 200})
    rows = await operations(gateway)
    assert all("evil" not in row["client"] and len(row["client"]) <= 64 for row in rows)


async def test_the_operation_log_line_names_the_client(gateway, caplog):
    with caplog.at_level(logging.DEBUG, logger="gateway.operations"):
        await run(
            gateway,
            "Overview",
            {"graphql-client-name": "web", "graphql-client-version": "2.3.1"},
        )
    (line,) = [r for r in caplog.records if r.name == "gateway.operations"]
    assert (line.client, line.client_version) == ("web", "2.3.1")
    assert (line.operation, line.type) == ("Overview", "query")


async def test_a_websocket_names_its_client_in_connection_init(gateway):
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    payload = {
        "Authorization": f"Bearer {DEMO_KEY}",
        "graphql-client-name": "web",
        "graphql-client-version": "2.3.1",
    }
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = {"query": "query OverSocket { __typename }"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
        assert json.loads(await ws.recv())["type"] == "next"
        assert json.loads(await ws.recv())["type"] == "complete"
    rows = await operations(gateway)
    assert counted(rows, client="web", operation="OverSocket") == 1


async def test_browsers_may_send_the_client_headers_cross_origin(gateway):
    response = await gateway.http.options(
        "/graphql",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": (
                "authorization, content-type, apollographql-client-name, "
                "apollographql-client-version"
            ),
        },
    )
    assert response.status_code == 200
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "apollographql-client-name" in allowed
