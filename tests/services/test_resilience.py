"""Per-provider guards: reads retried with backoff, writes never; timeouts and a breaker."""

import asyncio

import pytest

from gateway.domain.enums import Provider, ProviderState, UserErrorCode
from gateway.services.resilience import CallPolicy, CircuitBreaker, GuardedProvider
from providers.base import ProviderProtocolError, ProviderRejected, ProviderUnavailable

FAST = CallPolicy(timeout=0.2, read_retries=2, backoff_base=0.001)


class Flaky:
    def __init__(self, failures: int, error=None) -> None:
        self.failures = failures
        self.calls = 0
        self.error = error or ProviderUnavailable(Provider.DFNS, "HTTP 503")

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


async def test_a_read_is_retried_until_it_succeeds():
    guard = GuardedProvider(Provider.DFNS, FAST)
    flaky = Flaky(failures=2)
    assert await guard.call(flaky, idempotent=True) == "ok"
    assert flaky.calls == 3


async def test_a_write_is_never_retried():
    guard = GuardedProvider(Provider.DFNS, FAST)
    flaky = Flaky(failures=1)
    with pytest.raises(ProviderUnavailable):
        await guard.call(flaky, idempotent=False)
    assert flaky.calls == 1


async def test_a_refusal_is_an_answer_not_a_failure():
    guard = GuardedProvider(Provider.DFNS, FAST)
    refusal = ProviderRejected(
        Provider.DFNS, UserErrorCode.INSUFFICIENT_BALANCE, "no funds"
    )
    flaky = Flaky(failures=5, error=refusal)
    with pytest.raises(ProviderRejected):
        await guard.call(flaky, idempotent=True)
    assert flaky.calls == 1
    assert guard.health.state(guard.breaker) is ProviderState.UP


async def test_retry_after_is_honoured_within_a_cap():
    guard = GuardedProvider(
        Provider.ZEROHASH, CallPolicy(read_retries=1, max_retry_after=0.05)
    )
    flaky = Flaky(1, ProviderUnavailable(Provider.ZEROHASH, "429", retry_after=30))
    started = asyncio.get_running_loop().time()
    assert await guard.call(flaky, idempotent=True) == "ok"
    waited = asyncio.get_running_loop().time() - started
    assert 0.04 <= waited < 1


async def test_a_slow_provider_times_out_once_without_retry():
    guard = GuardedProvider(Provider.CROCANTE, FAST)
    calls = 0

    async def slow() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(5)
        return "late"

    with pytest.raises(ProviderUnavailable) as raised:
        await guard.call(slow, idempotent=True)
    assert raised.value.code == "TIMEOUT" and calls == 1


async def test_a_read_of_many_pages_gets_the_budget_it_is_given():
    guard = GuardedProvider(Provider.ZEROHASH, FAST)

    async def pages() -> str:
        for _ in range(5):
            await asyncio.sleep(0.1)  # five answers, each well within its deadline
        return "all of them"

    with pytest.raises(ProviderUnavailable):
        await guard.call(pages, idempotent=True)
    assert await guard.call(pages, idempotent=True, budget_seconds=5) == "all of them"


async def test_the_breaker_opens_after_repeated_failures_and_fails_fast():
    guard = GuardedProvider(Provider.DFNS, CallPolicy(read_retries=0))
    garbage = Flaky(100, ProviderProtocolError(Provider.DFNS, "not JSON"))
    for _ in range(guard.breaker.threshold):
        with pytest.raises(ProviderProtocolError):
            await guard.call(garbage, idempotent=True)
    with pytest.raises(ProviderUnavailable) as raised:
        await guard.call(garbage, idempotent=True)
    assert raised.value.code == "CIRCUIT_OPEN"
    assert garbage.calls == guard.breaker.threshold
    assert guard.health.state(guard.breaker) is ProviderState.DOWN


def test_the_breaker_lets_a_trial_through_after_its_cooldown():
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=lambda: now[0])
    breaker.failed()
    breaker.failed()
    assert not breaker.allow()
    now[0] = 10.5
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.allow() and breaker.failures == 0
