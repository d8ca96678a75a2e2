"""Webhook delivery: every lifecycle change and reward POSTed, signed, to one URL.

Headers as PROVIDERS.md 2.4: x-zh-hook-notification-id (a uuid per delivery),
x-zh-hook-payload-type, x-zh-hook-timestamp (Unix ms), x-zh-hook-signature =
hex(HMAC-SHA256(secret, raw body + timestamp)) and the legacy x-zh-hook-signature-256 =
hex(HMAC-SHA256(secret, raw body)); signing "rsa" (or "both") sends instead (or as
well) x-zh-hook-rsa-signature over body + timestamp and x-zh-hook-rsa-signature-256 over
the body, base64 RSA PKCS#1 v1.5 SHA-256 (`providers.zerohash.webhook_rsa`). A non-2xx
answer or a network error is retried with
exponential backoff, a bounded number of times. `duplicate_rate` sends some events a
second time (under a new notification id, as a provider retrying after a lost answer
does); `reorder` shuffles each batch (the events one request or clock jump caused).
With no URL set, events are dropped, as with a provider no webhook was configured for.
"""

import asyncio
import contextlib
import hashlib
import hmac
import json
import random
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from providers.zerohash.webhook_rsa import rsa_sign

MAX_ATTEMPTS = 6
MAX_QUEUED = 10_000
SIGNINGS = frozenset({"hmac", "rsa", "both"})


@dataclass(frozen=True, slots=True)
class Delivery:
    notification_id: str
    event_type: str
    body: bytes
    status: int | None


class WebhookDispatcher:
    def __init__(
        self,
        secret: str,
        *,
        url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_base_delay: float = 1.0,
        max_attempts: int = MAX_ATTEMPTS,
        duplicate_rate: float = 0.0,
        reorder: bool = False,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
        on_tick: Callable[[], None] = lambda: None,
        tick_seconds: float = 1.0,
        signing: str = "hmac",
        rsa_key: rsa.RSAPrivateKey | None = None,
    ) -> None:
        if signing not in SIGNINGS:
            raise ValueError(f"signing must be one of {sorted(SIGNINGS)}")
        if signing != "hmac" and rsa_key is None:
            raise ValueError("RSA signing needs an RSA private key")
        self._signing = signing
        self._rsa_key = rsa_key
        if not 0.0 <= duplicate_rate <= 1.0:
            raise ValueError("duplicate_rate must be between 0.0 and 1.0")
        self._secret = secret.encode()
        self.url = url
        self._transport = transport
        self._retry_base_delay = retry_base_delay
        self._max_attempts = max(1, max_attempts)
        self._duplicate_rate = duplicate_rate
        self._reorder = reorder
        self._rng = rng or random.Random()
        self._wall_clock = wall_clock
        self._on_tick = on_tick
        self._tick_seconds = tick_seconds
        self._queue: deque[dict[str, Any]] = deque(maxlen=MAX_QUEUED)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        # What was sent (last attempt of each delivery) and what gave up, newest last.
        self.delivered: deque[Delivery] = deque(maxlen=MAX_QUEUED)
        self.failed: deque[Delivery] = deque(maxlen=MAX_QUEUED)
        self.dropped = 0

    def publish(self, event: dict[str, Any]) -> None:
        if self.url is None:
            self.dropped += 1
            return
        self._queue.append(event)
        self._idle.clear()
        self._wake.set()

    async def start(self) -> None:
        if self._task is not None:
            return
        self._client = httpx.AsyncClient(transport=self._transport, timeout=10.0)
        self._task = asyncio.create_task(self._run(), name="zerohash-sandbox-webhooks")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def drain(self) -> None:
        """Wait until all published so far is delivered or given up (needs `start`)."""
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._tick_seconds)
            self._wake.clear()
            self._on_tick()
            batch = list(self._queue)
            self._queue.clear()
            if self._reorder:
                self._rng.shuffle(batch)
            for event in batch:
                await self._deliver(event)
                if self._rng.random() < self._duplicate_rate:
                    await self._deliver(event)
            if not self._queue:
                self._idle.set()

    def _headers(
        self, notification_id: str, event_type: str, body: bytes
    ) -> dict[str, str]:
        stamp = str(int(self._wall_clock() * 1000))
        headers = {
            "content-type": "application/json",
            "x-zh-hook-notification-id": notification_id,
            "x-zh-hook-payload-type": event_type,
            "x-zh-hook-timestamp": stamp,
        }
        if self._signing in ("hmac", "both"):
            headers["x-zh-hook-signature"] = _hex_hmac(
                self._secret, body + stamp.encode()
            )
            headers["x-zh-hook-signature-256"] = _hex_hmac(self._secret, body)
        if self._signing in ("rsa", "both"):
            assert self._rsa_key is not None
            headers["x-zh-hook-rsa-signature"] = rsa_sign(
                self._rsa_key, body + stamp.encode()
            )
            headers["x-zh-hook-rsa-signature-256"] = rsa_sign(self._rsa_key, body)
        return headers

    async def _deliver(self, event: dict[str, Any]) -> None:
        assert self._client is not None
        body = json.dumps(event, separators=(",", ":")).encode()
        notification_id = str(uuid.uuid4())
        event_type = str(event.get("event_type", ""))
        status: int | None = None
        for attempt in range(self._max_attempts):
            url = self.url
            if url is None:
                break
            headers = self._headers(notification_id, event_type, body)
            try:
                response = await self._client.post(url, content=body, headers=headers)
                status = response.status_code
            except httpx.HTTPError:
                status = None
            if status is not None and 200 <= status < 300:
                self.delivered.append(
                    Delivery(notification_id, event_type, body, status)
                )
                return
            if attempt + 1 < self._max_attempts:
                await asyncio.sleep(self._retry_base_delay * 2**attempt)
        self.failed.append(Delivery(notification_id, event_type, body, status))


def _hex_hmac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()
