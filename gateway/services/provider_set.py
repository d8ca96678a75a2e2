"""The adapters the gateway is wired to, each behind its guard, with shared in-flight reads."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from gateway.domain.enums import Provider, ProviderState
from gateway.domain.models import ProviderFailure, StakingProduct
from gateway.services.coalescing import Coalescer
from gateway.services.resilience import CallPolicy, GuardedProvider
from gateway.services.tracing import trace_shared
from providers.base import (
    AllocationAdapter,
    ProviderError,
    ProviderUnavailable,
    StakingAdapter,
)

T = TypeVar("T")

PRODUCTS_TTL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class HealthReport:
    provider: Provider
    state: ProviderState
    latency_ms: float | None
    circuit_open: bool
    last_error: str | None
    checked_at: object


def failure_of(error: ProviderError) -> ProviderFailure:
    return ProviderFailure(
        provider=error.provider,
        code=error.code,
        message=error.message,
        retryable=error.retryable,
    )


class ProviderSet:
    def __init__(
        self,
        adapters: Mapping[Provider, StakingAdapter],
        *,
        allocations: Mapping[Provider, AllocationAdapter] | None = None,
        policy: CallPolicy | None = None,
    ) -> None:
        self.adapters = dict(adapters)
        self.allocation_adapters = dict(allocations or {})
        self.guards = {p: GuardedProvider(p, policy or CallPolicy()) for p in Provider}
        self.coalescer = Coalescer()
        self._products: dict[Provider, tuple[float, Sequence[StakingProduct]]] = {}
        self.product_cache_hits = 0

    def adapter(self, provider: Provider) -> StakingAdapter:
        adapter = self.adapters.get(provider)
        if adapter is None:
            raise ProviderUnavailable(provider, "not configured", code="NOT_CONFIGURED")
        return adapter

    def allocation_adapter(self, provider: Provider) -> AllocationAdapter:
        adapter = self.allocation_adapters.get(provider)
        if adapter is None:
            raise ProviderUnavailable(
                provider, "has no allocations", code="NOT_CONFIGURED"
            )
        return adapter

    async def read(
        self,
        provider: Provider,
        key: Hashable,
        fn: Callable[[], Awaitable[T]],
        *,
        budget_seconds: float | None = None,
    ) -> T:
        """An idempotent read: retried, guarded, and shared with identical reads in flight.
        `budget_seconds` replaces the provider's timeout for a read of many pages."""
        guard = self.guards[provider]
        return await self.coalescer.run(
            (provider, key, budget_seconds),
            lambda: guard.call(fn, idempotent=True, budget_seconds=budget_seconds),
            on_shared=lambda: trace_shared(provider),
        )

    async def write(self, provider: Provider, fn: Callable[[], Awaitable[T]]) -> T:
        """A state change: guarded and timed out, never retried blindly."""
        return await self.guards[provider].call(fn, idempotent=False)

    async def products(self, provider: Provider) -> Sequence[StakingProduct]:
        cached = self._products.get(provider)
        if cached is not None and time.monotonic() - cached[0] < PRODUCTS_TTL_SECONDS:
            self.product_cache_hits += 1
            return cached[1]
        adapter = self.adapter(provider)
        products = await self.read(provider, "products", adapter.list_products)
        self._products[provider] = (time.monotonic(), products)
        return products

    async def find_product(
        self, provider: Provider, product_id: str
    ) -> StakingProduct | None:
        for product in await self.products(provider):
            if product.provider_product_id == product_id:
                return product
        return None

    async def health(self) -> list[HealthReport]:
        async def probe(provider: Provider) -> None:
            adapter = self.adapters.get(provider)
            if adapter is None:
                return
            try:
                await self.read(provider, "health", adapter.health_check)
            except ProviderError:
                pass  # recorded in the guard's health

        await asyncio.gather(*(probe(p) for p in self.adapters))
        reports = []
        for provider in Provider:
            guard = self.guards[provider]
            if provider not in self.adapters:
                reports.append(
                    HealthReport(
                        provider,
                        ProviderState.DOWN,
                        None,
                        False,
                        "not configured",
                        None,
                    )
                )
                continue
            reports.append(
                HealthReport(
                    provider=provider,
                    state=guard.health.state(guard.breaker),
                    latency_ms=guard.health.latency_ms,
                    circuit_open=guard.breaker.is_open,
                    last_error=guard.health.last_error,
                    checked_at=guard.health.checked_at,
                )
            )
        return reports
