"""S3's check: a call per item fails it; a provider's own list pages do not."""

from bench.scenarios.s3_nesting import CROCANTE_PAGE, _growth

ACTIVE = "GET /sandbox/crocante/staking/active"
REWARDS = "GET /sandbox/zerohash/stakes/{id}/rewards"


def test_more_of_a_providers_own_list_pages_is_not_growth() -> None:
    few = {"crocante": {ACTIVE: 1.0}}
    many = {"crocante": {ACTIVE: 2.0}}
    assert CROCANTE_PAGE == 50
    assert _growth(few, many, items=200) == []
    assert _growth(few, many, items=40) != []


def test_a_call_that_grows_with_the_items_is_growth() -> None:
    few = {"zerohash": {REWARDS: 1.0}}
    many = {"zerohash": {REWARDS: 50.0}}
    assert _growth(few, many, items=200) == [f"{REWARDS}: 1.0 -> 50.0"]
