"""What one request cost upstream: per provider, the calls made, their latency, and how
many were served by an identical read already in flight. Reported in the response's
`extensions.providers`, so a client can see where its time went."""

from contextvars import ContextVar
from dataclasses import dataclass, field

from gateway.domain.enums import Provider


@dataclass
class ProviderTrace:
    calls: int = 0
    shared: int = 0
    failures: int = 0
    latency_ms: float = 0.0  # the slowest call

    def as_dict(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            "sharedWithInFlight": self.shared,
            "failures": self.failures,
            "latencyMs": round(self.latency_ms, 2),
        }


@dataclass
class RequestTrace:
    providers: dict[Provider, ProviderTrace] = field(default_factory=dict)

    def of(self, provider: Provider) -> ProviderTrace:
        return self.providers.setdefault(provider, ProviderTrace())

    def as_dict(self) -> dict[str, object]:
        # In the enum's order, not in the order the calls ended, so one answer reads alike
        # however the providers raced.
        return {
            p.value: self.providers[p].as_dict()
            for p in Provider
            if p in self.providers
        }


current_trace: ContextVar[RequestTrace | None] = ContextVar(
    "current_trace", default=None
)


def trace_call(provider: Provider, elapsed: float, failed: bool) -> None:
    trace = current_trace.get()
    if trace is None:
        return
    entry = trace.of(provider)
    entry.calls += 1
    entry.failures += int(failed)
    entry.latency_ms = max(entry.latency_ms, elapsed * 1000)


def trace_shared(provider: Provider) -> None:
    trace = current_trace.get()
    if trace is not None:
        trace.of(provider).shared += 1
