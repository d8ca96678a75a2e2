"""Keyset pages: newest first, stable cursors, a capped page size."""

from datetime import UTC, datetime, timedelta

import pytest

from gateway.domain.errors import UserFacingError
from gateway.services.pagination import MAX_PAGE_SIZE, paginate

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def key(item):
    return (item[0], "P", item[1])


def items(n):
    return [(T0 + timedelta(minutes=i), f"id-{i:03}") for i in range(n)]


def test_pages_are_newest_first_and_walk_everything_once():
    data = items(7)
    walked, after = [], None
    while True:
        page = paginate(data, key, first=3, after=after)
        walked += [item for _, item in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert walked == sorted(data, reverse=True)


def test_items_newer_than_the_cursor_do_not_shift_the_walk():
    data = items(5)
    first = paginate(data, key, first=2, after=None)
    newer = [*data, (T0 + timedelta(days=1), "id-new")]
    second = paginate(newer, key, first=2, after=first.end_cursor)
    assert [i for _, i in second.items] == [data[2], data[1]]


def test_ties_in_time_are_ordered_by_id_newest_first():
    same = [(T0, "op-1"), (T0, "op-2"), (T0, "op-3")]
    page = paginate(same, key, first=10, after=None)
    assert [i[1] for _, i in page.items] == ["op-3", "op-2", "op-1"]


def test_first_is_capped_and_must_not_be_negative():
    page = paginate(items(150), key, first=1000, after=None)
    assert len(page.items) == MAX_PAGE_SIZE and page.has_next_page
    with pytest.raises(UserFacingError):
        paginate(items(3), key, first=-1, after=None)


def test_a_forged_cursor_is_a_typed_input_error():
    with pytest.raises(UserFacingError) as raised:
        paginate(items(3), key, first=2, after="not-a-cursor")
    assert raised.value.error.field == ("after",)
