"""A list page of the whole organisation, decoded at orjson's speed where that cannot
change what the asking wallets read.

Dfns lists every wallet's stakes; the JSON of one page (72 KB for 110 stakes) was the
largest single cost of a request for 50 clients (10 % of its CPU with `json.loads`,
half that with orjson). orjson reads an integer beyond 64 bits as a float (losing
digits) and refuses some of what `json.loads` takes (NaN, a lone surrogate, a
byte-order mark, anything not UTF-8, nesting past 1,024). So the page is decoded by
orjson, then by `json.loads` after all whenever orjson refuses it, or whenever an item
the caller keeps (or the page token) holds a float of 2**63 or more, which is where
such an integer would show. Other wallets' items are never read, either way.
"""

import json
from collections.abc import Callable

import orjson

_HUGE = 2.0**63


def _huge_float(value: object) -> bool:
    if isinstance(value, float):
        return not -_HUGE < value < _HUGE
    if isinstance(value, dict):
        return any(_huge_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_huge_float(v) for v in value)
    return False


def decode_page(content: bytes, wanted: Callable[[object], bool]) -> object:
    """The page as `json.loads(content)` reads it, in what `wanted` keeps; raises what
    `json.loads` raises."""
    try:
        page = orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)
    items = page.get("items") if isinstance(page, dict) else None
    if not isinstance(items, list):
        return json.loads(content)
    try:
        if _huge_float(page.get("nextPageToken")) or any(
            _huge_float(item) for item in items if wanted(item)
        ):
            return json.loads(content)
    except RecursionError:
        return json.loads(content)
    return page
