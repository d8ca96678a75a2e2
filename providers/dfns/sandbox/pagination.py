"""Dfns paging: `limit` (1 to 500, default 50) and an opaque `paginationToken`, answered
with `{items, nextPageToken?}`. The token names the last item seen, so items created
meanwhile do not shift later pages."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from providers.dfns.sandbox.errors import bad_request
from providers.dfns.sandbox.ids import decode_token, encode_token

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def _limit(query: Mapping[str, str]) -> int:
    raw = query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"query.limit must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def page(
    items: Sequence[T],
    item_id: Callable[[T], str],
    render: Callable[[T], Any],
    query: Mapping[str, str],
) -> dict[str, Any]:
    limit = _limit(query)
    start = 0
    token = query.get("paginationToken")
    if token:
        after = decode_token(token)
        ids = [item_id(i) for i in items]
        if after is None or after not in ids:
            raise bad_request("query.paginationToken is invalid")
        start = ids.index(after) + 1
    chosen = items[start : start + limit]
    body: dict[str, Any] = {"items": [render(i) for i in chosen]}
    if start + limit < len(items):
        body["nextPageToken"] = encode_token(item_id(chosen[-1]))
    return body
