"""The shape every provider sandbox has, so the gateway can host any of them the same way."""

from typing import Protocol

from starlette.types import ASGIApp

from gateway.domain.enums import Provider
from providers.sandbox_kit.clock import SimulatedClock
from providers.sandbox_kit.faults import Faults


class ProviderSandbox(Protocol):
    @property
    def provider(self) -> Provider: ...

    @property
    def app(self) -> ASGIApp: ...

    @property
    def clock(self) -> SimulatedClock: ...

    @property
    def faults(self) -> Faults: ...

    @property
    def demo_owners(self) -> tuple[str, ...]:
        """The identities the demo client is linked to, seeded with history."""
        ...

    async def start(self) -> None:
        """Start background work (webhook delivery, ticking); idempotent."""

    async def stop(self) -> None:
        """Stop background work and release what `start` opened."""
