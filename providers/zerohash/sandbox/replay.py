"""Idempotent replay: a mutation sent again with the same X-REQUEST-ID and the same
request gets the first answer back, and is not acted on twice (PROVIDERS.md 2.4).

Only successful answers are kept, so a request refused for a reason since fixed (terms
now accepted, funds now there) can be sent again under the same id.
"""

from collections import OrderedDict
from dataclasses import dataclass

from providers.zerohash.sandbox.errors import ZhError

MAX_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class Kept:
    fingerprint: tuple[str, str, bytes]
    status: int
    body: bytes


class ReplayCache:
    def __init__(self, max_kept: int = MAX_KEPT) -> None:
        self._kept: OrderedDict[tuple[str, str], Kept] = OrderedDict()
        self._max_kept = max_kept

    def lookup(
        self, client: str, request_id: str, fingerprint: tuple[str, str, bytes]
    ) -> Kept | None:
        kept = self._kept.get((client, request_id))
        if kept is None:
            return None
        if kept.fingerprint != fingerprint:
            raise ZhError(
                409,
                "DUPLICATE_REQUEST_ID",
                "X-REQUEST-ID was already used for a different request",
            )
        return kept

    def keep(self, client: str, request_id: str, kept: Kept) -> None:
        self._kept[(client, request_id)] = kept
        while len(self._kept) > self._max_kept:
            self._kept.popitem(last=False)
