"""The limits cooperate with the schema's parser and validation caches."""

from strawberry.extensions.validation_cache import _get_validate_cache

from tests.security.wiring import post

QUERY = "{ stakes(first: 3) { edges { node { id } } } }"


async def test_the_validation_cache_keeps_hitting_with_the_limits_on(gateway):
    cache = _get_validate_cache(512)
    await post(gateway, QUERY)
    hits = cache.cache_info().hits
    for _ in range(3):
        assert (await post(gateway, QUERY)).status_code == 200
    assert cache.cache_info().hits >= hits + 3


async def test_cost_is_still_checked_when_validation_comes_from_the_cache(gateway):
    query = """query($n: Int) { stakes(first: $n) { edges { node {
        rewards(first: 100) { edges { node { stake { id } } } } } } } }"""
    assert "errors" not in (await post(gateway, query, {"n": 1})).json()
    refused = (await post(gateway, query, {"n": 100})).json()
    assert "This operation costs" in refused["errors"][0]["message"]
