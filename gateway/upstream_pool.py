"""Keep-alive HTTP/1.1 connections to the providers: httpx's transport seam, run on
asyncio protocols with httptools (uvicorn's parser) instead of httpcore.

Measured (bench S2, 50 distinct clients, nothing shared): httpcore + h11 + anyio took
about half the gateway's CPU, some 2 to 3 ms per upstream call. At every request start and
response close httpcore's pool scans each idle connection, and each check builds anyio's
attribute dict and makes a `poll()` system call (encode/httpx#3215). Here the event loop
tells a connection that its peer closed (`connection_lost`), so taking an idle one is a
list pop, and parsing is done in C.

What it keeps of httpx's default transport: HTTP/1.1 only; connections per origin, at
most `max_connections` open (callers beyond wait, up to the pool timeout) and
`max_keepalive` idle, each idle for at most `keepalive_expiry`; TLS with httpx's
default context; the request's connect/read/write/pool timeouts; errors as httpx's
exception types. A request that finds a reused connection closed under it, before any
byte of an answer, is sent again once on a new connection if its method is idempotent.

With `max_bytes` and `seconds` it also guards each answer as
`gateway.security.upstream.GuardedTransport` does around other transports: a size cap
(declared or counted) and a deadline on the whole exchange, as httpx's ReadError and
ReadTimeout; here they cost a counter and one timer, not a wrapped stream and a
timeout context per chunk.
Proxies, HTTP/2 and upgrades are not offered (the providers need none).
"""

import asyncio
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any, cast

import httptools
import httpx

IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE", b"TRACE"})
# Above this many unread body bytes the socket stops being read until they are taken.
HIGH_WATER = 1024 * 1024

Origin = tuple[bytes, bytes, int]


class _Closed(Exception):
    """The connection closed before the answer began: safe to send again."""


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection and the exchange running on it, if any."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.used = False
        self.idle_since = 0.0
        self._request: httpx.Request | None = None
        self._read_timeout: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        # The whole answer's deadline and size cap (see UpstreamPool).
        self._overdue: asyncio.TimerHandle | None = None
        self._max_bytes: int | None = None
        self._body_bytes = 0
        self._waiter: asyncio.Future[None] | None = None
        self._error: Exception | None = None
        self._received = False
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_done = False
        self.chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self.complete = False
        self._keep_alive = False
        self._head_request = False

    # --- the exchange, seen from the caller ---------------------------------------

    def start(
        self,
        request: httpx.Request,
        data: bytes,
        timeouts: dict[str, Any],
        deadline: float | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self._request = request
        self._read_timeout = timeouts.get("read")
        self._error = None
        self._received = False
        self.status, self.reason, self.headers = 0, b"", []
        self.headers_done = self.complete = self._keep_alive = False
        self.chunks.clear()
        self._buffered = 0
        self._body_bytes = 0
        self._max_bytes = max_bytes
        self._head_request = request.method == "HEAD"
        self.used = True
        if deadline is not None:
            self._overdue = self._loop.call_at(deadline, self._took_too_long)
        assert self.transport is not None
        self.transport.write(data)

    async def wait(self) -> None:
        """Until something new arrived: headers, body, the end, or an error."""
        if self._error is not None:
            raise self._error
        waiter = self._waiter = self._loop.create_future()
        if self._read_timeout is not None:
            self._timer = self._loop.call_later(self._read_timeout, self._timed_out)
        try:
            await waiter
        except BaseException:
            self._waiter = None
            self.close()
            raise
        finally:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if self._error is not None:
            raise self._error

    def raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def take(self) -> bytes | None:
        if not self.chunks:
            return None
        chunk = self.chunks.popleft()
        self._buffered -= len(chunk)
        if self._paused and self._buffered < HIGH_WATER and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return chunk

    @property
    def reusable(self) -> bool:
        return (
            self.complete
            and not self.closed
            and self._error is None
            and self._keep_alive
        )

    def close(self) -> None:
        self._settled()
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                self.transport.close()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: Exception) -> None:
        if self._error is None:
            self._error = error
        self.close()
        self._wake()

    def _settled(self) -> None:
        if self._overdue is not None:
            self._overdue.cancel()
            self._overdue = None

    def _took_too_long(self) -> None:
        self._overdue = None
        self._fail(
            httpx.ReadTimeout(
                "the provider's response took too long", request=self._request
            )
        )

    def _too_large(self) -> None:
        self._fail(
            httpx.ReadError(
                f"the provider's response is over {self._max_bytes} bytes",
                request=self._request,
            )
        )

    def _timed_out(self) -> None:
        self._timer = None
        self._fail(
            httpx.ReadTimeout("timed out reading the answer", request=self._request)
        )

    # --- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._request is None or self.complete:
            # Nothing was asked: a peer talking out of turn cannot be trusted.
            self.close()
            return
        self._received = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(str(exc), request=self._request))

    def eof_received(self) -> bool | None:
        return None  # let the transport close: connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._request is None or self.complete:
            return
        if not self._received:
            self._fail(_Closed())
        elif self.headers_done and self._until_close():
            self.complete = True
            self._wake()
        else:
            self._fail(
                httpx.RemoteProtocolError(
                    "the provider closed the connection mid-answer",
                    request=self._request,
                )
            )

    def _until_close(self) -> bool:
        """An answer with neither a length nor chunks ends when the connection does."""
        names = {name.lower() for name, _ in self.headers}
        return b"content-length" not in names and b"transfer-encoding" not in names

    # --- httptools callbacks ------------------------------------------------------

    def on_status(self, status: bytes) -> None:
        if self._error is not None:
            return  # the rest of a failed answer is not read
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._error is not None:
            return  # the rest of a failed answer is not read
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self._error is not None:
            return  # the rest of a failed answer is not read
        self.status = self._parser.get_status_code()
        self.headers_done = True
        if self._max_bytes is not None:
            for name, value in self.headers:
                if (
                    name.lower() == b"content-length"
                    and value.strip().isdigit()
                    and int(value) > self._max_bytes
                ):
                    self._too_large()
                    return
        if self._head_request:
            # No body follows; the parser cannot be told so: never reuse this one.
            self.complete = True
            self.close()
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self._error is not None:
            return  # the rest of a failed answer is not read
        self._body_bytes += len(body)
        if self._max_bytes is not None and self._body_bytes > self._max_bytes:
            self._too_large()
            return
        self.chunks.append(body)
        self._buffered += len(body)
        if self._buffered >= HIGH_WATER and not self._paused and self.transport:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._error is not None:
            return  # the rest of a failed answer is not read
        # Asked now: once the message is over the parser forgets its headers.
        self._keep_alive = self._parser.should_keep_alive()
        self.complete = True
        self._settled()
        self._wake()


class _Body(httpx.AsyncByteStream):
    def __init__(self, pool: "UpstreamPool", origin: Origin, conn: _Connection) -> None:
        self._pool = pool
        self._origin = origin
        self._conn: _Connection | None = conn

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        while conn is not None:
            conn.raise_failure()
            chunk = conn.take()
            if chunk is not None:
                yield chunk
            elif conn.complete:
                return
            else:
                await conn.wait()

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pool._release(self._origin, conn)


class UpstreamPool(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        max_connections: int = 100,
        max_keepalive: int = 50,
        keepalive_expiry: float = 5.0,
        verify: ssl.SSLContext | bool = True,
        max_bytes: int | None = None,
        seconds: float | None = None,
    ) -> None:
        self._max_bytes = max_bytes
        self._seconds = seconds
        self._max_connections = max_connections
        self._max_keepalive = max_keepalive
        self._expiry = keepalive_expiry
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._idle: dict[Origin, list[_Connection]] = {}
        self._open = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._all: set[_Connection] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.raw_scheme
        if scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(
                f"unsupported scheme {url.scheme!r}", request=request
            )
        port = url.port or (443 if scheme == b"https" else 80)
        origin: Origin = (scheme, url.raw_host, port)
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        deadline = None
        if self._seconds is not None:
            deadline = asyncio.get_running_loop().time() + self._seconds
        data = await _encode(request)
        for _ in range(2):
            conn, reused = await self._acquire(origin, timeouts, deadline)
            try:
                conn.start(request, data, timeouts, deadline, self._max_bytes)
                while not conn.headers_done:
                    await conn.wait()
            except _Closed:
                self._discard(conn)
                if reused and request.method.encode() in IDEMPOTENT:
                    continue
                raise httpx.RemoteProtocolError(
                    "the provider closed the connection without answering",
                    request=request,
                ) from None
            except BaseException:
                self._discard(conn)
                raise
            return httpx.Response(
                conn.status,
                headers=conn.headers,
                stream=_Body(self, origin, conn),
                extensions={"http_version": b"HTTP/1.1", "reason_phrase": conn.reason},
            )
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        for conn in list(self._all):
            conn.close()
        self._all.clear()
        self._idle.clear()
        self._open = 0

    # --- the pool -------------------------------------------------------------------

    async def _acquire(
        self, origin: Origin, timeouts: dict[str, Any], overall: float | None
    ) -> tuple[_Connection, bool]:
        loop = asyncio.get_running_loop()
        pool_timeout = timeouts.get("pool")
        deadline = _earliest(
            overall, None if pool_timeout is None else loop.time() + pool_timeout
        )
        while True:
            idle = self._idle.get(origin)
            now = time.monotonic()
            while idle:
                conn = idle.pop()
                if conn.closed or now - conn.idle_since > self._expiry:
                    self._discard(conn)
                    continue
                return conn, True
            if self._open < self._max_connections:
                return await self._connect(origin, timeouts, overall), False
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    await waiter
            except TimeoutError:
                raise httpx.PoolTimeout("no connection free in time") from None
            finally:
                if not waiter.done():
                    waiter.cancel()

    async def _connect(
        self, origin: Origin, timeouts: dict[str, Any], overall: float | None
    ) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        connect = timeouts.get("connect")
        deadline = _earliest(
            overall, None if connect is None else loop.time() + connect
        )
        hostname = host.decode("ascii")
        tls = self._context() if scheme == b"https" else None
        self._open += 1
        try:
            async with asyncio.timeout_at(deadline):
                _, conn = await loop.create_connection(
                    lambda: _Connection(loop),
                    hostname,
                    port,
                    ssl=tls,
                    server_hostname=hostname if tls else None,
                )
        except TimeoutError:
            self._slot_freed()
            raise httpx.ConnectTimeout(f"connecting to {hostname}:{port}") from None
        except (OSError, ssl.SSLError) as exc:
            self._slot_freed()
            raise httpx.ConnectError(f"{hostname}:{port}: {exc}") from exc
        except BaseException:
            self._slot_freed()
            raise
        self._all.add(conn)
        return conn

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self._verify)
        return self._ssl

    def _release(self, origin: Origin, conn: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if conn.reusable and len(idle) < self._max_keepalive:
            conn.idle_since = time.monotonic()
            conn._request = None
            idle.append(conn)
            self._wake_one()
        else:
            self._discard(conn)

    def _discard(self, conn: _Connection) -> None:
        conn.close()
        if conn in self._all:
            self._all.discard(conn)
            self._slot_freed()

    def _slot_freed(self) -> None:
        self._open -= 1
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return


def _earliest(*moments: float | None) -> float | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


async def _encode(request: httpx.Request) -> bytes:
    """The request line, headers and body as the bytes to send."""
    target = request.url.raw_path
    method = request.method.encode("ascii")
    parts = [method, b" ", target, b" HTTP/1.1\r\n"]
    chunked = False
    for name, value in request.headers.raw:
        if _unsafe(name) or _unsafe(value):
            raise httpx.LocalProtocolError(
                "a header carries a line break or NUL", request=request
            )
        if name.lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        parts += [name, b": ", value, b"\r\n"]
    if _unsafe(target) or b" " in target:
        raise httpx.LocalProtocolError(
            "the request target is malformed", request=request
        )
    parts.append(b"\r\n")
    stream = request.stream
    if isinstance(stream, httpx.ByteStream):  # content given as bytes: already read
        body = request.content
        if chunked:
            parts += [b"%x\r\n" % len(body), body, b"\r\n"] if body else []
            parts.append(b"0\r\n\r\n")
        else:
            parts.append(body)
        return b"".join(parts)
    assert isinstance(stream, httpx.AsyncByteStream)
    async for chunk in stream:
        if chunked:
            if chunk:
                parts += [b"%x\r\n" % len(chunk), chunk, b"\r\n"]
        else:
            parts.append(chunk)
    if chunked:
        parts.append(b"0\r\n\r\n")
    return b"".join(parts)


def _unsafe(value: bytes) -> bool:
    return b"\r" in value or b"\n" in value or b"\0" in value
