"""What a provider's answer may cost the gateway: bounded bytes, bounded time, and no
retry hint that stalls it."""

import asyncio
import math
import time

import httpx
import pytest

from gateway.domain.enums import Provider
from gateway.security.upstream import GuardedTransport
from gateway.services.resilience import CallPolicy, GuardedProvider
from providers.base import ProviderError, ProviderUnavailable, unavailable_for_status
from tests.security.provider_tape import Recording, decimals, record, replay
from tests.security.test_hostile_providers import CASES, IDS


@pytest.fixture(scope="module")
def recording() -> Recording:
    return asyncio.run(record())


class Drip(httpx.AsyncByteStream):
    def __init__(self, chunks: int, pause: float, size: int = 1) -> None:
        self.chunks, self.pause, self.size = chunks, pause, size

    async def __aiter__(self):
        for _ in range(self.chunks):
            await asyncio.sleep(self.pause)
            yield b" " * self.size


def guarded(tape_handler, *, max_bytes=1024 * 1024, seconds=0.5):
    """The tape's answers through the guard `gateway.wiring` is asked to add."""

    class Inner(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            return tape_handler(request)

    return GuardedTransport(Inner(), max_bytes=max_bytes, seconds=seconds)


async def replay_through(recording, provider, name, transport):
    async def handler(request):
        return await transport.handle_async_request(request)

    # replay() wraps handlers in MockTransport, which accepts coroutine handlers.
    return await replay(recording, provider, name, handler)


@pytest.mark.parametrize(("provider", "name"), CASES, ids=IDS)
def test_guarded_answers_map_exactly_as_unguarded_ones(recording, provider, name):
    transport = guarded(recording.tapes[(provider, name)].player())
    result = asyncio.run(replay_through(recording, provider, name, transport))
    assert decimals(result) == decimals(recording.baselines[(provider, name)])


WRITES_AND_READS = [(p, n) for p, n in CASES if n in ("list_stakes", "create_stake")]


@pytest.mark.parametrize(
    ("provider", "name"),
    WRITES_AND_READS,
    ids=[f"{p.value.lower()}-{n}" for p, n in WRITES_AND_READS],
)
@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed"])
def test_an_oversized_answer_is_a_provider_unavailable(
    recording, provider, name, declared
):
    def huge(request):
        if declared:
            return httpx.Response(200, content=b" " * (2 * 1024 * 1024))
        return httpx.Response(200, stream=Drip(chunks=40, pause=0, size=64 * 1024))

    transport = guarded(huge)
    with pytest.raises(ProviderUnavailable):
        asyncio.run(replay_through(recording, provider, name, transport))


@pytest.mark.parametrize(("provider", "name"), CASES[:3], ids=IDS[:3])
def test_a_slow_drip_answer_is_cut_at_the_deadline(recording, provider, name):
    transport = guarded(
        lambda _: httpx.Response(200, stream=Drip(chunks=100, pause=0.05))
    )
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable) as caught:
        asyncio.run(replay_through(recording, provider, name, transport))
    assert time.monotonic() - started < 2.0
    assert caught.value.code == "TIMEOUT"


async def test_a_stalled_answer_is_cut_at_the_deadline_too():
    class Stalled(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            await asyncio.sleep(10)
            raise AssertionError("not reached")

    transport = GuardedTransport(Stalled(), seconds=0.1)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("http://provider/")


@pytest.mark.parametrize("header", ["nan", "inf", "-5"])
def test_a_retry_after_that_is_no_delay_is_ignored(header):
    error = unavailable_for_status(
        Provider.ZEROHASH, httpx.Response(503, headers={"retry-after": header})
    )
    assert error.retry_after is None or (
        math.isfinite(error.retry_after) and error.retry_after >= 0
    )


async def test_a_nan_retry_after_does_not_stall_a_retried_read():
    guard = GuardedProvider(Provider.ZEROHASH, CallPolicy(timeout=1.0, read_retries=1))
    answers = [
        ProviderUnavailable(Provider.ZEROHASH, "HTTP 503", retry_after=float("nan")),
        "ok",
    ]

    async def call():
        answer = answers.pop(0)
        if isinstance(answer, ProviderError):
            raise answer
        return answer

    async with asyncio.timeout(1.0):
        assert await guard.call(call, idempotent=True) == "ok"
