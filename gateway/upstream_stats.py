"""Counts every HTTP request the gateway sends to each provider, by method and path.

Fed by httpx event hooks on each provider's client, so nothing an adapter does escapes
it; read by /metrics and by tests that bound how many calls a query may cost.
"""

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable

import httpx

from gateway.domain.enums import Provider
from gateway.request_id import HEADER, current_request_id

log = logging.getLogger("gateway.upstream")


class UpstreamStats:
    def __init__(self) -> None:
        self.calls: Counter[tuple[Provider, str, str]] = Counter()
        self.errors: Counter[tuple[Provider, int]] = Counter()
        # Seconds spent waiting on each provider, and how many answers that covers.
        self.seconds: defaultdict[Provider, float] = defaultdict(float)
        self.answers: Counter[Provider] = Counter()

    def hooks(
        self, provider: Provider
    ) -> dict[str, list[Callable[..., Awaitable[None]]]]:
        async def on_request(request: httpx.Request) -> None:
            self.calls[(provider, request.method, request.url.path)] += 1
            request.extensions["gateway_started"] = time.perf_counter()
            request_id = current_request_id.get()
            # The provider sees our request's id; an id of its own (Zerohash's
            # X-REQUEST-ID is also its idempotency key) is never replaced.
            if request_id is not None and HEADER not in request.headers:
                request.headers[HEADER] = request_id

        async def on_response(response: httpx.Response) -> None:
            request = response.request
            started = request.extensions.get("gateway_started")
            took = 0.0
            if isinstance(started, float):
                took = time.perf_counter() - started
                self.seconds[provider] += took
                self.answers[provider] += 1
            if response.status_code >= 400:
                self.errors[(provider, response.status_code)] += 1
            level = logging.WARNING if response.status_code >= 500 else logging.DEBUG
            if log.isEnabledFor(level):
                log.log(
                    level,
                    "upstream answer",
                    extra={
                        "provider": provider.value,
                        "method": request.method,
                        "path": request.url.path,
                        "status": response.status_code,
                        "ms": round(took * 1000, 2),
                        "sent_request_id": request.headers.get(HEADER),
                    },
                )

        return {"request": [on_request], "response": [on_response]}

    def total(self, provider: Provider, method: str | None = None) -> int:
        return sum(
            count
            for (p, m, _), count in self.calls.items()
            if p is provider and (method is None or m == method)
        )

    def snapshot(self) -> dict[Provider, int]:
        return {p: self.total(p) for p in Provider}
