"""GraphQL over HTTP, `application/graphql-response+json`: each MUST and SHOULD of the
spec's section on that media type (graphql.github.io/graphql-over-http/draft, Status
Codes), of the `Accept` rules the answer is chosen by (Body) and of GET, over real HTTP.

Tests are named after the rule they hold the gateway to.
"""

import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.gateway.conftest import DEMO_KEY, RunningGateway, start_gateway

pytestmark = pytest.mark.asyncio(loop_scope="module")

GRAPHQL_RESPONSE = "application/graphql-response+json"
AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}
NEW = {**AUTH, "Accept": GRAPHQL_RESPONSE}
LEGACY = {**AUTH, "Accept": "application/json"}
STAKES = "{ stakes(first: 2) { edges { node { id } } } }"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(tmp_path_factory) -> AsyncIterator[RunningGateway]:
    # No poller: the tests count the provider calls a request makes.
    async for running in start_gateway(
        tmp_path_factory.mktemp("http"), WATCHER_ENABLED=False
    ):
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def strict(tmp_path_factory) -> AsyncIterator[RunningGateway]:
    """Trusted documents only, and a short deadline on queries."""
    directory = tmp_path_factory.mktemp("strict")
    manifest = directory / "documents.json"
    manifest.write_text(json.dumps([STAKES]))
    async for running in start_gateway(
        directory,
        WATCHER_ENABLED=False,
        GATEWAY_TRUSTED_DOCUMENTS=str(manifest),
        GATEWAY_OPERATION_TIMEOUT_SECONDS=0.5,
    ):
        yield running


def upstream_calls(gateway: RunningGateway) -> int:
    return sum(gateway.app.state.upstream.snapshot().values())


async def post(gateway, body, headers=NEW):
    return await gateway.http.post("/graphql", json=body, headers=headers)


def media_type(response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


# Body: the media type, and the Accept header that chooses it.


async def test_server_must_indicate_the_media_type_and_should_indicate_utf8(gateway):
    response = await post(gateway, {"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
        # The spec's recommended header for a client unsure of the server.
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, application/json", "application/json"),
        # Equal qualities: the one listed first.
        (f"application/json, {GRAPHQL_RESPONSE}", "application/json"),
        (f"{GRAPHQL_RESPONSE}, application/json", GRAPHQL_RESPONSE),
        # A type's quality is that of the most specific range naming it.
        ("*/*;q=0.1, application/json;q=0", GRAPHQL_RESPONSE),
        (f"application/*;q=0.2, {GRAPHQL_RESPONSE};q=0", "application/json"),
        (f"{GRAPHQL_RESPONSE};charset=utf-8", GRAPHQL_RESPONSE),
        # urql's header for queries: JSON first, an event stream only after it.
        (
            f"{GRAPHQL_RESPONSE}, application/graphql+json, application/json, "
            "text/event-stream, multipart/mixed",
            GRAPHQL_RESPONSE,
        ),
    ],
)
async def test_server_must_respect_accept_and_answer_its_highest_priority_type(
    gateway, accept, expected
):
    for response in (
        await post(gateway, {"query": "{ __typename }"}, {**AUTH, "Accept": accept}),
        await gateway.http.get(
            "/graphql",
            params={"query": "{ __typename }"},
            headers={**AUTH, "Accept": accept},
        ),
    ):
        assert response.status_code == 200, response.text
        assert media_type(response) == expected
        assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("accept", [None, "*/*", "application/*"])
async def test_without_a_preference_the_server_chooses_application_json(
    gateway, accept
):
    headers = dict(AUTH) if accept is None else {**AUTH, "Accept": accept}
    request = gateway.http.build_request(
        "POST", "/graphql", json={"query": "{ nope }"}, headers=headers
    )
    if accept is None:
        del request.headers["accept"]  # httpx sends */* unless told otherwise
    response = await gateway.http.send(request)
    assert media_type(response) == "application/json"
    # application/json as it has always been: 200 for every well-formed request.
    assert response.status_code == 200
    assert response.json()["data"] is None and response.json()["errors"]


@pytest.mark.parametrize(
    "accept",
    ["text/xml", "application/xml, text/plain", f"{GRAPHQL_RESPONSE};charset=utf-16"],
)
async def test_accept_with_no_supported_type_is_answered_406_before_anything_runs(
    gateway, accept
):
    before = upstream_calls(gateway)
    response = await post(gateway, {"query": STAKES}, {**AUTH, "Accept": accept})
    assert response.status_code == 406
    assert media_type(response) != GRAPHQL_RESPONSE
    assert upstream_calls(gateway) == before


async def test_answers_vary_on_accept_so_caches_keep_them_apart(gateway):
    response = await gateway.http.get(
        "/graphql", params={"query": "{ __typename }"}, headers=NEW
    )
    assert "accept" in response.headers["vary"].lower()


# Status codes under application/graphql-response+json.


async def test_data_entry_not_null_must_be_2xx_and_should_be_200(gateway):
    response = await post(gateway, {"query": STAKES})
    assert response.status_code == 200
    assert response.json()["data"]["stakes"]["edges"]


async def test_data_entry_null_should_be_2xx_and_is_200(gateway):
    # A non-null root field failed during execution: data is null, not absent.
    query = '{ stakes(after: "not-a-cursor") { edges { cursor } } }'
    response = await post(gateway, {"query": query})
    assert response.status_code == 200
    body = response.json()
    assert "data" in body and body["data"] is None
    assert body["errors"][0]["path"] == ["stakes"]


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{"},
        {"query": "{ nope }"},
        {"query": "query($n: Int!) { stakes(first: $n) { pageInfo { hasNextPage } } }"},
    ],
    ids=["syntax", "validation", "coercion"],
)
async def test_no_data_entry_must_be_4xx_or_5xx(gateway, body):
    response = await post(gateway, body)
    assert 400 <= response.status_code < 600
    assert "data" not in response.json()
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [
        {"qeury": "{ __typename }"},
        {
            "query": "query Q($i: Int!) { stakes(first: $i) { pageInfo { hasNextPage } } }",
            "variables": [7],
        },
        {"query": 42},
        {"query": "{ __typename }", "extensions": "persisted"},
    ],
    ids=["typo", "variables-not-a-map", "query-not-a-string", "extensions-not-a-map"],
)
async def test_request_not_well_formed_should_be_400(gateway, body):
    response = await post(gateway, body)
    assert response.status_code == 400
    assert media_type(response) == GRAPHQL_RESPONSE
    assert "data" not in response.json()


async def test_request_failing_validation_should_be_400_and_not_executed(gateway):
    before = upstream_calls(gateway)
    response = await post(gateway, {"query": "{ stakes { edges { node { nope } } } }"})
    assert response.status_code == 400
    assert "data" not in response.json()
    assert upstream_calls(gateway) == before


async def test_client_not_permitted_should_be_401_or_403(gateway):
    response = await post(
        gateway,
        {"query": "{ __typename }"},
        {"Authorization": "Bearer sgw_not-a-key", "Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code in (401, 403)
    assert media_type(response) == GRAPHQL_RESPONSE
    assert "data" not in response.json() and response.json()["errors"]


async def test_a_document_the_client_may_not_run_is_403(strict):
    response = await post(strict, {"query": "{ portfolio { stakeCount } }"})
    assert response.status_code == 403
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "UNTRUSTED_DOCUMENT"


async def test_a_query_stopped_at_its_deadline_is_504_without_data(strict):
    faults = "/sandbox/crocante/_sandbox/faults"
    await strict.http.post(faults, json={"latency_ms": 3000})
    try:
        response = await post(strict, {"query": STAKES})
    finally:
        await strict.http.post(faults, json={"latency_ms": 0})
    assert response.status_code == 504
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"


# The section's examples.


@pytest.mark.parametrize("raw", [b"NONSENSE", b'{"query":'])
async def test_json_parsing_failure_should_be_400(gateway, raw):
    response = await gateway.http.post(
        "/graphql", content=raw, headers={**NEW, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_document_parsing_failure_should_be_400(gateway):
    response = await post(gateway, {"query": "{"})
    assert response.status_code == 400
    assert "Syntax Error" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"query": f"query A {STAKES} query B {{ portfolio {{ stakeCount }} }}"},
        {"query": f"query A {STAKES}", "operationName": "B"},
    ],
    ids=["several-without-a-name", "unknown-name"],
)
async def test_operation_that_cannot_be_determined_is_400_and_not_executed(
    gateway, body
):
    before = upstream_calls(gateway)
    response = await post(gateway, body)
    assert response.status_code == 400
    assert "data" not in response.json()
    assert upstream_calls(gateway) == before


@pytest.mark.parametrize(
    "variables", [{"n": "two"}, {"n": None}, {}], ids=["wrong-type", "null", "missing"]
)
async def test_variable_coercion_failure_is_400_and_not_executed(gateway, variables):
    query = "query Page($n: Int!) { stakes(first: $n) { edges { node { id } } } }"
    before = upstream_calls(gateway)
    response = await post(gateway, {"query": query, "variables": variables})
    assert response.status_code == 400
    assert "data" not in response.json()
    assert upstream_calls(gateway) == before


async def test_field_errors_during_execution_should_be_200(gateway):
    first = (await post(gateway, {"query": STAKES})).json()["data"]
    query = """query($id: ID!) { portfolio { stakeCount } node(id: $id) {
      ... on Stake { rewards(after: "not-a-cursor") { edges { cursor } } } } }"""
    stake_id = first["stakes"]["edges"][0]["node"]["id"]
    response = await post(gateway, {"query": query, "variables": {"id": stake_id}})
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["portfolio"]["stakeCount"] > 0
    assert body["errors"][0]["path"] == ["node", "rewards"]


async def test_errors_preventing_a_graphql_response_are_never_2xx(gateway):
    response = await gateway.http.post(
        "/graphql",
        content=b"{ __typename }",
        headers={**NEW, "Content-Type": "text/plain"},
    )
    assert 400 <= response.status_code < 500


# GET.


async def test_get_must_not_execute_a_mutation_and_answers_405_naming_post(gateway):
    mutation = "mutation { acceptStakingTerms(provider: ZEROHASH) { accepted } }"
    before = upstream_calls(gateway)
    for headers in (NEW, LEGACY):
        response = await gateway.http.get(
            "/graphql", params={"query": mutation}, headers=headers
        )
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert "data" not in response.json()
    assert upstream_calls(gateway) == before


async def test_get_answers_with_the_same_status_codes_as_post(gateway):
    invalid = await gateway.http.get(
        "/graphql", params={"query": "{ nope }"}, headers=NEW
    )
    coercion = await gateway.http.get(
        "/graphql",
        params={
            "query": "query($n: Int!) { stakes(first: $n) { pageInfo { hasNextPage } } }",
            "variables": '{"n": "x"}',
        },
        headers=NEW,
    )
    assert invalid.status_code == coercion.status_code == 400
    assert "data" not in invalid.json() and "data" not in coercion.json()


# application/json, as legacy clients know it.


async def test_application_json_keeps_200_and_a_data_entry_for_request_errors(gateway):
    for body in ({"query": "{"}, {"query": "{ nope }"}):
        response = await post(gateway, body, LEGACY)
        assert response.status_code == 200
        assert media_type(response) == "application/json"
        assert response.json()["data"] is None


async def test_a_subscription_still_streams_when_json_is_listed_first(gateway):
    query = "subscription { stakeStatusChanged { cursor } }"
    async with gateway.http.stream(
        "POST",
        "/graphql",
        json={"query": query},
        headers={**AUTH, "Accept": "application/json, text/event-stream"},
    ) as stream:
        assert stream.status_code == 200
        assert media_type(stream) == "text/event-stream"


async def test_defer_is_refused_at_validation_when_turned_off(tmp_path):
    # Experimental: GATEWAY_INCREMENTAL_DELIVERY=false takes the directives out.
    query = "{ portfolio { ... @defer { stakeCount } } }"
    async for gateway in start_gateway(tmp_path, GATEWAY_INCREMENTAL_DELIVERY=False):
        response = await post(gateway, {"query": query})
        assert response.status_code == 400
        message = response.json()["errors"][0]["message"]
        assert "Unknown directive '@defer'" in message
