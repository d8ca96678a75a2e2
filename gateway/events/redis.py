"""Redis pub/sub across gateway replicas: one subscriber connection per process.

A reader task owns the subscriber connection and fans each message out locally; a
channel is subscribed in Redis while it has local subscribers. Publishes go through
Redis only, so this replica's subscribers get them exactly once, like any other's.
When the connection drops, the reader reconnects with backoff, resubscribes, and then
raises ``BusReconnected`` in the subscriptions that were listening, so they resume from
the store.
"""

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from gateway.events.bus import DEFAULT_MAX_QUEUE, Subscription
from gateway.events.fanout import FanoutCounters, LocalFanout

logger = logging.getLogger(__name__)


@dataclass
class _ChannelState:
    """A channel on the current subscriber connection."""

    confirmed: asyncio.Event = field(default_factory=asyncio.Event)
    subscribed: bool = False  # the last command sent was SUBSCRIBE
    # Replies still due: Redis answers each (UN)SUBSCRIBE in order, so the channel is
    # confirmed only by the reply to the last command, not an earlier one.
    pending: int = 0


class RedisBus(FanoutCounters):
    def __init__(
        self,
        url: str,
        *,
        name: str = "staking-gateway-events",
        keepalive: float = 5.0,
        retry_delay: float = 0.1,
        max_retry_delay: float = 5.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self._url = url
        self.name = name  # CLIENT SETNAME prefix: ours in CLIENT LIST are name:sub/pub
        self._keepalive = keepalive
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._connect_timeout = connect_timeout
        self._fanout = LocalFanout()
        self._published = 0
        self._factory: ConnectionPool | None = None
        self._publisher: Redis | None = None
        self._reader: asyncio.Task[None] | None = None
        self._conn: AbstractConnection | None = None  # live subscriber connection
        self._lock = asyncio.Lock()  # one command at a time on the connection
        self._states: dict[str, _ChannelState] = {}
        self._interrupted: dict[str, set[Subscription]] = {}

    async def connect(self) -> None:
        if self._reader is not None:
            return
        # The subscriber connection must never reconnect by itself: that would hide
        # a gap. The reader retries on its own schedule and tells the subscribers.
        self._factory = ConnectionPool.from_url(
            self._url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=self._connect_timeout,
            socket_keepalive=True,
            client_name=f"{self.name}:sub",
        )
        publisher = Redis.from_url(
            self._url,
            socket_connect_timeout=self._connect_timeout,
            client_name=f"{self.name}:pub",
        )
        try:
            await publisher.ping()
            conn = await self._open()
        except BaseException:
            await publisher.aclose()
            raise
        self._publisher = publisher
        self._reader = asyncio.create_task(self._run(conn), name="redis-bus-reader")

    async def disconnect(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.disconnect()
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            await publisher.aclose()
        if self._factory is not None:
            await self._factory.aclose()
        self._fanout.close_all()
        for state in self._states.values():
            state.confirmed.set()  # release subscribe() waiters onto closed queues
        self._states.clear()
        self._interrupted.clear()

    async def publish(self, channel: str, message: str) -> None:
        if self._publisher is None:
            raise RuntimeError("RedisBus.connect() was not awaited")
        await self._publisher.publish(channel, message)
        self._published += 1

    @asynccontextmanager
    async def subscribe(
        self, channel: str, *, max_queue: int = DEFAULT_MAX_QUEUE
    ) -> AsyncIterator[Subscription]:
        if self._reader is None:
            raise RuntimeError("RedisBus.connect() was not awaited")
        subscription = Subscription(channel, max_queue)
        self._fanout.add(subscription)
        try:
            await self._sync(channel)
            # Entered only once Redis confirms, so no later publish can be missed.
            await self._states.setdefault(channel, _ChannelState()).confirmed.wait()
            yield subscription
        finally:
            self._interrupted.get(channel, set()).discard(subscription)
            if self._fanout.remove(subscription):
                # Shielded: a cancelled subscriber must still release the channel.
                await asyncio.shield(self._sync(channel))

    async def ping(self) -> None:
        if self._publisher is None:
            raise RuntimeError("RedisBus.connect() was not awaited")
        conn = self._conn
        if conn is None or not conn.is_connected:
            raise RedisConnectionError("event bus subscriber connection is down")
        await self._publisher.ping()

    async def _sync(self, channel: str) -> None:
        """Makes the Redis subscription follow the local subscribers of channel."""
        async with self._lock:
            conn = self._conn
            if conn is None or not conn.is_connected:
                return  # the reader subscribes every wanted channel on reconnect
            state = self._states.setdefault(channel, _ChannelState())
            wanted = self._fanout.has(channel)
            if wanted == state.subscribed:
                return
            # State first: the reply may be read before send_command returns.
            state.subscribed, state.pending = wanted, state.pending + 1
            state.confirmed.clear()
            command = "SUBSCRIBE" if wanted else "UNSUBSCRIBE"
            try:
                await conn.send_command(command, channel, check_health=False)
            except (RedisError, OSError):
                return  # the connection is closed now; the reader takes over

    async def _open(self) -> AbstractConnection:
        assert self._factory is not None
        conn = self._factory.connection_class(**self._factory.connection_kwargs)
        try:
            await conn.connect()  # type: ignore[no-untyped-call]  # untyped in redis-py
            async with self._lock:
                channels = self._fanout.channels()
                self._states = {
                    c: self._states.get(c) or _ChannelState() for c in channels
                }
                for state in self._states.values():
                    state.subscribed, state.pending = True, 1
                    state.confirmed.clear()
                if channels:
                    await conn.send_command("SUBSCRIBE", *channels, check_health=False)
                self._conn = conn
        except BaseException:
            await conn.disconnect(nowait=True)
            raise
        return conn

    async def _run(self, conn: AbstractConnection | None) -> None:
        attempt = 0
        while True:
            try:
                if conn is None:
                    conn = await self._open()
                    attempt = 0
                await self._read(conn)
            except (RedisError, OSError) as exc:
                logger.warning("event bus lost its Redis subscription: %s", exc)
            except Exception:
                logger.exception("event bus reader failed")
            if conn is not None:
                await self._drop(conn)
                conn = None
            delay = min(self._max_retry_delay, self._retry_delay * 2**attempt)
            attempt += 1
            # Jitter, so replicas do not reconnect in lockstep.
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))

    async def _read(self, conn: AbstractConnection) -> None:
        awaiting_pong = False
        while True:
            if not conn.is_connected:
                raise RedisConnectionError("subscriber connection closed")
            # push_request: under RESP3, hand pub/sub pushes back instead of skipping.
            reply = await conn.read_response(timeout=self._keepalive, push_request=True)
            if reply is not None:
                awaiting_pong = False
                self._handle(reply)
                continue
            # Silence: a PING tells an idle connection from a half-open one.
            if awaiting_pong:
                raise RedisConnectionError("no reply to the keepalive PING")
            awaiting_pong = True
            async with self._lock:
                await conn.send_command("PING", check_health=False)

    def _handle(self, reply: Any) -> None:
        # PONG is b"PONG" or [b"pong", b""]; other pub/sub replies have three parts.
        if not isinstance(reply, list) or len(reply) != 3:
            return
        kind, channel = reply[0], _text(reply[1])
        if kind == b"message":
            self._fanout.deliver(channel, _text(reply[2]))
        elif kind in (b"subscribe", b"unsubscribe"):
            self._on_reply(channel)

    def _on_reply(self, channel: str) -> None:
        state = self._states.get(channel)
        if state is None or state.pending == 0:
            return
        state.pending -= 1
        if state.pending:
            return
        if not state.subscribed:
            del self._states[channel]
            return
        state.confirmed.set()
        for subscription in self._interrupted.pop(channel, ()):
            subscription.notify_reconnected()

    async def _drop(self, conn: AbstractConnection) -> None:
        if self._conn is conn:
            self._conn = None
            for channel, state in self._states.items():
                if state.confirmed.is_set():
                    listening = self._fanout.subscribers(channel)
                    self._interrupted.setdefault(channel, set()).update(listening)
                state.confirmed.clear()
                state.subscribed, state.pending = False, 0
        await conn.disconnect(nowait=True)


def _text(value: object) -> str:
    # Another publisher may send bytes that are not UTF-8; never crash the reader.
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
