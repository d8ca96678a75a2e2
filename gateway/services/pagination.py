"""Keyset pagination over merged provider lists.

Items are ordered newest first by (created_at, provider, id), all descending. A cursor
is the sort key of the last item seen, so a page walk stays exact while new items
arrive: newer items sort before the cursor and never shift what comes after it. (Two
items of one provider created in the same instant are told apart by id; where a
provider's ids are random, a newcomer in the very instant of the cursor may land after
it.)
"""

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import orjson

from gateway.domain.errors import invalid_input

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

SortKey = tuple[datetime, str, str]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[SortKey, T]]  # (what its cursor encodes, item)
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.items[-1][0]) if self.items else None


def encode_cursor(key: SortKey) -> str:
    raw = orjson.dumps([key[0].isoformat(), key[1], key[2]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, provider, item_id = orjson.loads(raw)
        return (datetime.fromisoformat(at), str(provider), str(item_id))
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise invalid_input(
            "This cursor is not one the gateway gave out.", "after"
        ) from None


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0:
        raise invalid_input("`first` must not be negative.", "first")
    return min(first, MAX_PAGE_SIZE)


def paginate(
    items: Sequence[T],
    key: Callable[[T], SortKey],
    *,
    first: int | None,
    after: str | None,
) -> Page[T]:
    size = page_size(first)
    # Newest first, the whole key descending: within one timestamp the larger id first,
    # so a provider's sequential ids keep a newcomer ahead of a walk's cursor too.
    keyed = sorted(
        ((_comparable(k), k, item) for item in items for k in (key(item),)),
        reverse=True,
        key=lambda entry: entry[0],
    )
    if after is not None:
        bound = _comparable(decode_cursor(after))
        keyed = [entry for entry in keyed if entry[0] < bound]
    return Page(
        items=[(k, item) for _, k, item in keyed[:size]],
        has_next_page=len(keyed) > size,
    )


def _comparable(key: SortKey) -> tuple[float, str, str]:
    return (key[0].timestamp(), key[1], key[2])
