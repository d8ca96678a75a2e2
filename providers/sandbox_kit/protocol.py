"""The shape every provider sandbox has, so the gateway can host any of them the same way."""

from typing import Protocol

from starlette.types import ASGIApp

from gateway.domain.enums import Provider
from providers.sandbox_kit.clock import SimulatedClock
from providers.sandbox_kit.faults import Faults


class ProviderSandbox(Protocol):
    provider: Provider
    app: ASGIApp
    clock: SimulatedClock
    faults: Faults
    # The identities the demo client is linked to, seeded with history.
    demo_owners: tuple[str, ...]

    async def start(self) -> None:
        """Start background work (webhook delivery, ticking); idempotent."""

    async def stop(self) -> None:
        """Stop background work and release what `start` opened."""
