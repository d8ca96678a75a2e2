"""A guard on what providers send back: a size cap and a deadline on each response.

Adapters read whole bodies into memory and httpx's timeouts are per read, so a hostile
or broken provider could send gigabytes, or drip one byte a second forever. Wrapped
around each provider client's transport, this turns both into httpx transport errors,
which every adapter already maps to `ProviderUnavailable`.
"""

import asyncio
import time
from collections.abc import AsyncIterator

import httpx

DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
DEFAULT_RESPONSE_SECONDS = 30.0


class _GuardedStream(httpx.AsyncByteStream):
    def __init__(
        self,
        inner: httpx.AsyncByteStream,
        request: httpx.Request,
        max_bytes: int,
        deadline: float,
    ) -> None:
        self._inner = inner
        self._request = request
        self._max_bytes = max_bytes
        self._deadline = deadline

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        chunks = aiter(self._inner)
        while True:
            remaining = self._deadline - time.monotonic()
            try:
                async with asyncio.timeout(max(0.0, remaining)):
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise httpx.ReadTimeout(
                    "the provider's response took too long", request=self._request
                ) from None
            received += len(chunk)
            if received > self._max_bytes:
                raise httpx.ReadError(
                    f"the provider's response is over {self._max_bytes} bytes",
                    request=self._request,
                )
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        seconds: float = DEFAULT_RESPONSE_SECONDS,
    ) -> None:
        self._inner = inner
        self._max_bytes = max_bytes
        self._seconds = seconds

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self._seconds
        try:
            async with asyncio.timeout(self._seconds):
                response = await self._inner.handle_async_request(request)
        except TimeoutError:
            raise httpx.ReadTimeout(
                "the provider's response took too long", request=request
            ) from None
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            await response.aclose()
            raise httpx.ReadError(
                f"the provider's response is over {self._max_bytes} bytes",
                request=request,
            )
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _GuardedStream(
                response.stream, request, self._max_bytes, deadline
            )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
