"""A Dfns list page decodes, in the items a caller keeps, exactly as `json.loads` does."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.dfns.models import of_wallets
from providers.dfns.pages import decode_page

MINE = "wa-mine-00000-00000000000000"
wanted = of_wallets(frozenset({MINE}))

VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 10, max_value=2**70)
    | st.integers(min_value=-(2**70), max_value=-(2**63) + 10)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
ITEMS = st.builds(
    lambda wallet, body: {"walletId": wallet, **body},
    st.sampled_from([MINE, "wa-other-00000-00000000000000"]),
    st.dictionaries(st.text(max_size=8), VALUES, max_size=4),
)


def kept(page: object) -> object:
    assert isinstance(page, dict)
    return [i for i in page["items"] if wanted(i)], page.get("nextPageToken")


def same_as_json(content: bytes) -> None:
    expected = json.loads(content)
    got = decode_page(content, wanted)
    assert repr(kept(got)) == repr(kept(expected))


@given(st.lists(ITEMS, max_size=6), st.one_of(st.none(), st.text(), VALUES))
def test_kept_items_read_as_the_standard_library_reads_them(items, token) -> None:
    page = {"items": items, "nextPageToken": token}
    same_as_json(json.dumps(page).encode())
    same_as_json(json.dumps(page, indent=1, ensure_ascii=False).encode())


def test_a_long_integer_in_a_kept_item_keeps_every_digit() -> None:
    content = json.dumps(
        {"items": [{"walletId": MINE, "data": {"lockHeight": 2**64 + 1}}]}
    ).encode()
    page = decode_page(content, wanted)
    assert isinstance(page, dict)
    assert page["items"][0]["data"]["lockHeight"] == 2**64 + 1


@pytest.mark.parametrize(
    "content",
    [
        b'{"items": [{"walletId": "' + MINE.encode() + b'", "x": NaN}]}',
        '\ufeff{"items": []}'.encode(),
        b'{"items": [{"walletId": "\\ud800"}]}',
        b'{"items": ' + b"[" * 2000 + b"]" * 2000 + b"}",
        b'{"items": "not a list"}',
        b"[1, 2]",
    ],
)
def test_what_orjson_refuses_or_cannot_tell_is_read_by_the_standard_library(
    content,
) -> None:
    try:
        expected = json.loads(content)
    except (ValueError, RecursionError) as exc:
        with pytest.raises(type(exc)):
            decode_page(content, wanted)
        return
    assert repr(decode_page(content, wanted)) == repr(expected)


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"not json"])
def test_what_is_not_json_fails_as_the_standard_library_fails(content) -> None:
    with pytest.raises(ValueError):
        decode_page(content, wanted)
