"""Trusted-documents mode: only operations registered by their sha256 run, whether
sent in full, by `extensions.persistedQuery.sha256Hash` or by `documentId`."""

import hashlib
import json

import pytest

from gateway.security.documents import TrustedDocuments, TrustedDocumentsError
from tests.gateway.conftest import DEMO_KEY
from tests.gateway.ws import subscriber
from tests.security.wiring import post, start_secure_gateway

PORTFOLIO = "query Portfolio { portfolio { stakeCount } }"
WATCH = "subscription Watch { stakeStatusChanged { cursor } }"
AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
async def trusted(tmp_path):
    manifest = tmp_path / "documents.json"
    manifest.write_text(json.dumps({f"sha256:{sha(t)}": t for t in (PORTFOLIO, WATCH)}))
    async for running in start_secure_gateway(
        tmp_path, GATEWAY_TRUSTED_DOCUMENTS=str(manifest)
    ):
        yield running


def upstream_calls(gateway) -> int:
    return sum(gateway.app.state.upstream.snapshot().values())


async def test_a_registered_operation_sent_in_full_runs(trusted):
    body = (await post(trusted, PORTFOLIO)).json()
    assert body["data"]["portfolio"]["stakeCount"] > 0


async def test_a_registered_operation_runs_by_its_persisted_query_hash(trusted):
    payload = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(PORTFOLIO)}}
    }
    body = (await trusted.http.post("/graphql", json=payload, headers=AUTH)).json()
    assert body["data"]["portfolio"]["stakeCount"] > 0


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_registered_operation_runs_by_its_document_id(trusted, method):
    document_id = f"sha256:{sha(PORTFOLIO)}"
    if method == "GET":
        response = await trusted.http.get(
            "/graphql",
            params={"documentId": document_id},
            headers={**AUTH, "Accept": "application/graphql-response+json"},
        )
    else:
        response = await trusted.http.post(
            "/graphql", json={"documentId": document_id}, headers=AUTH
        )
    assert response.json()["data"]["portfolio"]["stakeCount"] > 0


async def test_an_unregistered_operation_is_refused_before_it_reaches_a_provider(
    trusted,
):
    before = upstream_calls(trusted)
    body = (await post(trusted, "{ portfolio { stakeCount } }")).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNTRUSTED_DOCUMENT"
    assert upstream_calls(trusted) == before


async def test_an_unregistered_operation_is_not_even_validated(trusted):
    """Its validation errors would tell a prober about the schema."""
    body = (await post(trusted, "{ stakez { id } }")).json()
    messages = [e["message"] for e in body["errors"]]
    assert len(messages) == 1 and "stakes" not in messages[0]


async def test_an_unknown_hash_is_refused_with_persisted_query_not_found(trusted):
    response = await trusted.http.post(
        "/graphql", json={"documentId": f"sha256:{'0' * 64}"}, headers=AUTH
    )
    assert response.status_code == 400
    assert "PersistedQueryNotFound" in response.text


async def test_a_query_that_does_not_match_its_hash_is_refused(trusted):
    payload = {
        "query": "{ portfolio { stakeCount } }",
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(PORTFOLIO)}},
    }
    response = await trusted.http.post("/graphql", json=payload, headers=AUTH)
    assert response.status_code == 400


@pytest.mark.parametrize("document_id", ["sha256:nothex", "md5:abc", 42])
async def test_a_malformed_document_id_is_a_400(trusted, document_id):
    response = await trusted.http.post(
        "/graphql", json={"documentId": document_id}, headers=AUTH
    )
    assert response.status_code == 400


async def test_on_a_websocket_registered_subscriptions_run_and_others_are_refused(
    trusted,
):
    async with subscriber(trusted.url, DEMO_KEY) as client:
        await client.subscribe("subscription { rewardReceived { cursor } }", op_id="x")
        refused = await client.next_message()
        await client.subscribe(WATCH, op_id="ok")
        await client.subscribe(
            "subscription Other { rewardReceived { cursor } }", op_id="y"
        )
        second = await client.next_message()
    assert refused["type"] == "error" and refused["id"] == "x"
    assert second["id"] == "y" and second["type"] == "error"


def test_a_manifest_whose_hash_does_not_match_its_text_is_refused_at_startup(tmp_path):
    manifest = tmp_path / "bad.json"
    manifest.write_text(json.dumps({sha("a"): "{ portfolio { stakeCount } }"}))
    with pytest.raises(TrustedDocumentsError, match="does not hash"):
        TrustedDocuments.load(manifest)


def test_a_manifest_may_be_a_plain_list_of_operations(tmp_path):
    manifest = tmp_path / "list.json"
    manifest.write_text(json.dumps([PORTFOLIO, WATCH]))
    documents = TrustedDocuments.load(manifest)
    assert documents.trusts(PORTFOLIO) and not documents.trusts("{ __typename }")
