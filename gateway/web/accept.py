"""Content negotiation on the `Accept` header (RFC 9110 section 12.5.1).

Each media type the server offers takes the quality of the most specific range that
matches it (`type/subtype` over `type/*` over `*/*`; a range with parameters over one
without). The highest quality wins; on a tie the range listed first wins, and on a tie
within one wildcard range the server's order of preference does. Quality 0 means "not
acceptable". GraphQL's media types are UTF-8 only, so a range asking for another charset
does not match them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
EVENT_STREAM = "text/event-stream"
MULTIPART_MIXED = "multipart/mixed"

_UTF8 = frozenset({"utf-8", "utf8"})


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    quality: float
    position: int

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names `media_type`; None when it does not match."""
        kind, _, sub = media_type.partition("/")
        if any(k == "charset" and v not in _UTF8 for k, v in self.params):
            return None
        if self.type == "*" and self.subtype == "*":
            level = 0
        elif self.type == kind and self.subtype == "*":
            level = 1
        elif self.type == kind and self.subtype == sub:
            level = 2
        else:
            return None
        return level * 100 + len(self.params)


def parse_accept(header: str) -> list[MediaRange]:
    """The header's media ranges; a malformed range or quality is left out."""
    ranges: list[MediaRange] = []
    for position, part in enumerate(_split(header, ",")):
        name, *raw_params = _split(part, ";")
        kind, slash, sub = name.strip().lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        params: list[tuple[str, str]] = []
        quality: float | None = 1.0
        for raw in raw_params:
            key, _, value = raw.strip().partition("=")
            key = key.strip().lower()
            value = value.strip().strip('"')
            if key == "q":
                quality = _quality(value)
                break  # what follows the weight are accept-ext, not media parameters
            if key:
                params.append((key, value.lower() if key == "charset" else value))
        if quality is None:
            continue
        ranges.append(MediaRange(kind, sub, tuple(params), quality, position))
    return ranges


@lru_cache(maxsize=256)
def negotiate(header: str | None, offered: tuple[str, ...]) -> str | None:
    """The offered type the header prefers; the first offered when there is no header;
    None when the header accepts none of them. Remembered per header: a client sends the
    same one every time (urql's costs some 20 us to read)."""
    if header is None or not header.strip():
        return offered[0] if offered else None
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for preference, media_type in enumerate(offered):
        matched = _most_specific(ranges, media_type)
        if matched is None or matched.quality <= 0:
            continue
        rank = (matched.quality, -matched.position, -preference)
        if best is None or rank > best:
            best, chosen = rank, media_type
    return chosen


def _most_specific(ranges: Sequence[MediaRange], media_type: str) -> MediaRange | None:
    best: MediaRange | None = None
    best_level = -1
    for candidate in ranges:
        level = candidate.specificity(media_type)
        if level is not None and level > best_level:
            best, best_level = candidate, level
    return best


def _quality(value: str) -> float | None:
    try:
        quality = float(value)
    except ValueError:
        return None
    if not 0 <= quality <= 1:
        return None
    return quality


def _split(text: str, separator: str) -> list[str]:
    """Splits on `separator` outside double quotes (`boundary="a,b"` stays whole)."""
    if '"' not in text:
        return [p for p in text.split(separator) if p.strip()]
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]
