"""What every provider sandbox shares: a simulated clock, fault injection, their control routes."""

from providers.sandbox_kit.clock import SimulatedClock
from providers.sandbox_kit.control import sandbox_app
from providers.sandbox_kit.faults import FaultInjectionMiddleware, Faults

__all__ = ["FaultInjectionMiddleware", "Faults", "SimulatedClock", "sandbox_app"]
