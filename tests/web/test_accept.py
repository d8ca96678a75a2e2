"""Accept negotiation (RFC 9110 12.5.1), as the GraphQL endpoint uses it."""

import pytest

from gateway.web.accept import (
    EVENT_STREAM,
    GRAPHQL_RESPONSE_JSON,
    JSON,
    negotiate,
    parse_accept,
)

OFFERED = (JSON, GRAPHQL_RESPONSE_JSON, EVENT_STREAM)


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("text/*", EVENT_STREAM),
        (f"{GRAPHQL_RESPONSE_JSON}, {JSON};q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"{JSON};q=0.9,{GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{JSON}; q=1.0, {GRAPHQL_RESPONSE_JSON}; q=0.999", JSON),
        (f"*/*;q=0.5, {JSON};q=0.4", GRAPHQL_RESPONSE_JSON),
        (f"*/*, {JSON};q=0, {GRAPHQL_RESPONSE_JSON};q=0", EVENT_STREAM),
        (f'multipart/mixed;boundary="a,b";deferSpec=20220824, {JSON}', JSON),
        (f"{GRAPHQL_RESPONSE_JSON};charset=UTF-8", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};charset=latin-1, {JSON};q=0.1", JSON),
        # A weight out of range or unreadable leaves its range out.
        (f"{GRAPHQL_RESPONSE_JSON};q=2, {JSON};q=0.5", JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=high, {JSON};q=0.5", JSON),
        ("text/html", None),
        ("image/*;q=1, */*;q=0", None),
        ("garbage", None),
    ],
)
def test_the_preferred_offered_type_wins(header, chosen):
    assert negotiate(header, OFFERED) == chosen


def test_parameters_after_the_weight_are_extensions_not_media_parameters():
    (media_range,) = parse_accept("application/json;charset=utf-8;q=0.5;level=1")
    assert media_range.params == (("charset", "utf-8"),)
    assert media_range.quality == 0.5
