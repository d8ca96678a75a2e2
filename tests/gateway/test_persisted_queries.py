"""Automatic persisted queries (Apollo's protocol) over real HTTP: a hash alone runs a
query the gateway has seen; an unknown one is `PersistedQueryNotFound` until the client
sends hash and query together. Shared through Redis between replicas; in production
with trusted documents, only the manifest's hashes run."""

import hashlib
import json
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from tests.conftest import REDIS_URL
from tests.gateway.conftest import DEMO_KEY, RunningGateway, start_gateway

pytestmark = pytest.mark.asyncio(loop_scope="module")

AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}
NEW = {**AUTH, "Accept": "application/graphql-response+json"}
PORTFOLIO = "query Portfolio { portfolio { stakeCount } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str, version: int = 1) -> dict:
    return {"persistedQuery": {"version": version, "sha256Hash": sha(text)}}


def fresh(label: str) -> str:
    """A query no test has registered yet (aliases make the text unique)."""
    return f"query Q{uuid.uuid4().hex[:8]} {{ {label}: portfolio {{ stakeCount }} }}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(tmp_path_factory) -> AsyncIterator[RunningGateway]:
    async for running in start_gateway(
        tmp_path_factory.mktemp("apq"), WATCHER_ENABLED=False
    ):
        yield running


async def by_hash(gateway, text, headers=AUTH, method="POST"):
    if method == "GET":
        params = {"extensions": json.dumps(persisted(text))}
        return await gateway.http.get("/graphql", params=params, headers=headers)
    body = {"extensions": persisted(text)}
    return await gateway.http.post("/graphql", json=body, headers=headers)


async def with_query(gateway, text, headers=AUTH, method="POST"):
    if method == "GET":
        params = {"query": text, "extensions": json.dumps(persisted(text))}
        return await gateway.http.get("/graphql", params=params, headers=headers)
    body = {"query": text, "extensions": persisted(text)}
    return await gateway.http.post("/graphql", json=body, headers=headers)


def not_found(response) -> bool:
    (error,) = response.json()["errors"]
    return (
        error["message"] == "PersistedQueryNotFound"
        and error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_an_unknown_hash_is_persisted_query_not_found_and_never_cached(gateway):
    response = await by_hash(gateway, fresh("unknown"))
    # As Apollo Server answers application/json clients.
    assert response.status_code == 200 and not_found(response)
    assert "no-cache" in response.headers["cache-control"]
    strict = await by_hash(gateway, fresh("unknown"), NEW)
    assert strict.status_code == 400 and not_found(strict)
    assert "data" not in strict.json()


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_hash_and_query_register_then_the_hash_alone_runs(gateway, method):
    query = fresh(method.lower())
    assert not_found(await by_hash(gateway, query, method=method))
    first = await with_query(gateway, query, method=method)
    assert first.status_code == 200
    assert first.json()["data"][method.lower()]["stakeCount"] > 0
    again = await by_hash(gateway, query, NEW, method=method)
    assert again.status_code == 200
    assert again.json()["data"] == first.json()["data"]


async def test_a_hash_registered_by_post_runs_by_get_with_a_browsers_accept(gateway):
    query = fresh("crossed")
    await with_query(gateway, query)
    response = await by_hash(gateway, query, {**AUTH, "Accept": "*/*"}, method="GET")
    assert response.status_code == 200
    assert response.json()["data"]["crossed"]["stakeCount"] > 0


async def test_a_query_that_does_not_match_its_hash_is_refused_and_not_kept(gateway):
    query, other = fresh("claimed"), fresh("sent")
    response = await gateway.http.post(
        "/graphql",
        json={"query": other, "extensions": persisted(query)},
        headers=AUTH,
    )
    assert response.status_code == 400
    assert (
        response.json()["errors"][0]["extensions"]["code"]
        == "PERSISTED_QUERY_HASH_MISMATCH"
    )
    assert not_found(await by_hash(gateway, query))


async def test_a_query_that_does_not_validate_is_not_kept(gateway):
    broken = "{ portfolio { nope } }"
    response = await with_query(gateway, broken, NEW)
    assert response.status_code == 400
    assert not_found(await by_hash(gateway, broken))


async def test_an_unknown_protocol_version_is_refused(gateway):
    body = {"query": PORTFOLIO, "extensions": persisted(PORTFOLIO, version=2)}
    response = await gateway.http.post("/graphql", json=body, headers=NEW)
    assert response.status_code == 400
    code = response.json()["errors"][0]["extensions"]["code"]
    assert code == "PERSISTED_QUERY_NOT_SUPPORTED"


async def test_with_persisted_queries_off_a_hash_is_not_supported(tmp_path):
    async for gateway in start_gateway(
        tmp_path, WATCHER_ENABLED=False, GATEWAY_APQ=False
    ):
        response = await by_hash(gateway, PORTFOLIO)
        error = response.json()["errors"][0]
        assert error["message"] == "PersistedQueryNotSupported"
        # The query alone still runs.
        plain = await gateway.http.post(
            "/graphql", json={"query": PORTFOLIO}, headers=AUTH
        )
        assert plain.json()["data"]["portfolio"]["stakeCount"] > 0


@pytest.mark.redis
async def test_a_query_registered_on_one_replica_runs_by_hash_on_another(tmp_path):
    prefix = f"test-apq-{uuid.uuid4().hex}"
    shared = {
        "REDIS_URL": REDIS_URL,
        "GATEWAY_APQ_PREFIX": prefix,
        "GATEWAY_APQ_TTL_SECONDS": 600,
        "WATCHER_ENABLED": False,
    }
    query = fresh("replicated")
    redis = Redis.from_url(REDIS_URL)
    try:
        async for first in start_gateway(tmp_path / "a", **shared):
            async for second in start_gateway(tmp_path / "b", **shared):
                assert not_found(await by_hash(second, query))
                assert (await with_query(first, query)).status_code == 200
                response = await by_hash(second, query, NEW, method="GET")
                assert response.status_code == 200
                assert response.json()["data"]["replicated"]["stakeCount"] > 0
        ttl = await redis.ttl(f"{prefix}:{sha(query)}")
        assert 0 < ttl <= 600
    finally:
        keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def test_in_production_with_trusted_documents_only_known_hashes_run(tmp_path):
    manifest = tmp_path / "documents.json"
    manifest.write_text(json.dumps([PORTFOLIO]))
    unknown = fresh("smuggled")
    async for gateway in start_gateway(
        tmp_path,
        GATEWAY_ENV="production",
        GATEWAY_TRUSTED_DOCUMENTS=str(manifest),
        WATCHER_ENABLED=False,
    ):
        known = await by_hash(gateway, PORTFOLIO, NEW, method="GET")
        assert known.status_code == 200
        assert known.json()["data"]["portfolio"]["stakeCount"] > 0
        # Apollo's retry, hash and text together, does not register the text...
        assert not_found(await by_hash(gateway, unknown))
        retried = await with_query(gateway, unknown, NEW)
        assert retried.status_code == 403
        code = retried.json()["errors"][0]["extensions"]["code"]
        assert code == "UNTRUSTED_DOCUMENT"
        # ...so its hash stays unknown.
        assert not_found(await by_hash(gateway, unknown))
