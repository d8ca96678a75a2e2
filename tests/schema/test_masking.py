"""Masking decides by the type of the error: the caller's own refusals, a missing key and
a subscriber that fell behind keep their message; anything else is masked, whatever it
says."""

import pytest
from graphql import GraphQLError

from gateway.domain.errors import FellBehind, invalid_input
from gateway.schema.context import NotAuthenticated
from gateway.schema.schema import should_mask


def raised(error: Exception) -> GraphQLError:
    return GraphQLError(str(error), path=["field"], original_error=error)


@pytest.mark.parametrize(
    "error",
    [
        invalid_input("This id is not one the gateway gave out.", "input", "stakeId"),
        NotAuthenticated("Send `Authorization: Bearer <api key>`."),
        FellBehind(dropped=3, last=41),
    ],
)
def test_an_expected_error_keeps_its_message(error: Exception) -> None:
    assert not should_mask(raised(error))


def test_any_other_error_is_masked_even_when_it_reads_like_an_expected_one() -> None:
    assert should_mask(raised(RuntimeError("This subscriber fell behind.")))


def test_a_subscriber_that_fell_behind_learns_where_to_resume() -> None:
    assert str(FellBehind(dropped=3, last=41)) == (
        'This subscriber fell behind and 3 events were dropped. Resume with after: "41".'
    )
