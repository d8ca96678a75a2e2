"""Per-provider timeouts, retries for reads, a circuit breaker, and the health they observe."""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from gateway.domain.enums import Provider, ProviderState
from gateway.services.tracing import trace_call
from providers.base import ProviderError, ProviderProtocolError, ProviderUnavailable

T = TypeVar("T")


@dataclass
class CircuitBreaker:
    """Opens after `threshold` consecutive failures; lets one trial through after `cooldown`."""

    threshold: int = 5
    cooldown: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    clock: Callable[[], float] = time.monotonic

    @property
    def is_open(self) -> bool:
        if self.opened_at is None:
            return False
        return self.clock() - self.opened_at < self.cooldown

    def allow(self) -> bool:
        return not self.is_open

    def succeeded(self) -> None:
        self.failures = 0
        self.opened_at = None

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = self.clock()


@dataclass
class ProviderHealth:
    provider: Provider
    latency_ms: float | None = None
    last_error: str | None = None
    checked_at: datetime | None = None
    ok_streak: int = 0
    error_streak: int = 0

    def observe(self, elapsed: float, error: ProviderError | None) -> None:
        millis = elapsed * 1000
        # A moving average: one slow call should not paint the provider slow.
        self.latency_ms = (
            millis if self.latency_ms is None else 0.8 * self.latency_ms + 0.2 * millis
        )
        self.checked_at = datetime.now(UTC)
        if error is None:
            self.ok_streak += 1
            self.error_streak = 0
        else:
            self.last_error = f"{error.code}: {error.message}"
            self.error_streak += 1
            self.ok_streak = 0

    def state(self, breaker: CircuitBreaker) -> ProviderState:
        if breaker.is_open:
            return ProviderState.DOWN
        if self.error_streak:
            return ProviderState.DEGRADED
        return ProviderState.UP


@dataclass(frozen=True)
class CallPolicy:
    timeout: float = 10.0
    read_retries: int = 2
    backoff_base: float = 0.1
    max_retry_after: float = 2.0


class GuardedProvider:
    """Runs calls to one provider under its policy, breaker and health."""

    def __init__(self, provider: Provider, policy: CallPolicy) -> None:
        self.provider = provider
        self.policy = policy
        self.breaker = CircuitBreaker()
        self.health = ProviderHealth(provider)

    async def call(
        self,
        fn: Callable[[], Awaitable[T]],
        *,
        idempotent: bool,
        budget_seconds: float | None = None,
    ) -> T:
        """`budget_seconds` replaces the policy's timeout for a call known to walk many
        pages."""
        budget = self.policy.timeout if budget_seconds is None else budget_seconds
        attempts = 1 + (self.policy.read_retries if idempotent else 0)
        for attempt in range(attempts):
            if not self.breaker.allow():
                raise ProviderUnavailable(
                    self.provider,
                    "circuit open after repeated failures",
                    code="CIRCUIT_OPEN",
                )
            started = time.perf_counter()
            try:
                async with asyncio.timeout(budget):
                    result = await fn()
            except TimeoutError:
                error: ProviderError = ProviderUnavailable(
                    self.provider,
                    f"no answer within {budget:g} s",
                    code="TIMEOUT",
                )
            except (ProviderUnavailable, ProviderProtocolError) as exc:
                error = exc
            except ProviderError as exc:
                # A refusal is an answer: the provider is up.
                self._settle(started, None)
                raise exc
            else:
                self._settle(started, None)
                return result
            self._settle(started, error)
            # A timeout has spent the caller's budget already: retrying would double it.
            if (
                attempt + 1 >= attempts
                or not error.retryable
                or error.code == "TIMEOUT"
            ):
                raise error
            await asyncio.sleep(self._delay(attempt, error))
        raise AssertionError("unreachable")

    def _settle(self, started: float, error: ProviderError | None) -> None:
        elapsed = time.perf_counter() - started
        self.health.observe(elapsed, error)
        trace_call(self.provider, elapsed, error is not None)
        if error is None:
            self.breaker.succeeded()
        else:
            self.breaker.failed()

    def _delay(self, attempt: int, error: ProviderError) -> float:
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None and 0 <= retry_after < float("inf"):
            return min(float(retry_after), self.policy.max_retry_after)
        # Full jitter keeps replicas from retrying in lockstep.
        return random.uniform(0, self.policy.backoff_base * 2**attempt)
