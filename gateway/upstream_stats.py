"""Counts every HTTP request the gateway sends to each provider, by method and path.

Fed by httpx event hooks on each provider's client, so nothing an adapter does escapes
it; read by /metrics and by tests that bound how many calls a query may cost.
"""

from collections import Counter
from collections.abc import Awaitable, Callable

import httpx

from gateway.domain.enums import Provider


class UpstreamStats:
    def __init__(self) -> None:
        self.calls: Counter[tuple[Provider, str, str]] = Counter()
        self.errors: Counter[tuple[Provider, int]] = Counter()

    def hooks(
        self, provider: Provider
    ) -> dict[str, list[Callable[..., Awaitable[None]]]]:
        async def on_request(request: httpx.Request) -> None:
            self.calls[(provider, request.method, request.url.path)] += 1

        async def on_response(response: httpx.Response) -> None:
            if response.status_code >= 400:
                self.errors[(provider, response.status_code)] += 1

        return {"request": [on_request], "response": [on_response]}

    def total(self, provider: Provider, method: str | None = None) -> int:
        return sum(
            count
            for (p, m, _), count in self.calls.items()
            if p is provider and (method is None or m == method)
        )

    def snapshot(self) -> dict[Provider, int]:
        return {p: self.total(p) for p in Provider}
