"""The webhook sender: reads the status history (the outbox) into deliveries, and sends
them, on one replica at a time, under a lease as the watcher polls.

Two steps, each safe to repeat after a crash:

1. Fan-out: the events after the sender's position become delivery rows for every
   subscribed endpoint of every client allowed to see them, in the same transaction
   that moves the position. A position another sender moved first is not moved twice.
2. Sending: each due delivery, the oldest pending one of its stake at its endpoint, is
   POSTed signed; a 2xx marks it delivered, anything else schedules a retry. A crash
   between sending and recording sends it again: at least once, with the same event id.
"""

import asyncio
import functools
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from gateway.domain.enums import Provider
from gateway.domain.errors import UserFacingError
from gateway.domain.history import EntityKind, StatusEvent
from gateway.domain.webhooks import (
    DeliveryAttempt,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
    event_id_for,
    event_type_of,
)
from gateway.services.webhooks.addresses import AddressPolicy, check_url
from gateway.services.webhooks.payloads import event_body, ordering_key
from gateway.services.webhooks.retry import RetryPolicy, parse_retry_after
from gateway.services.webhooks.signing import (
    EVENT_TYPE_HEADER,
    ID_HEADER,
    WebhookSigner,
)
from gateway.store.client_webhooks import AttemptOutcome, NewDelivery
from gateway.store.store import Store

log = logging.getLogger("gateway.webhooks")

FANOUT = "client-webhooks"
LEASE = "client-webhooks"
USER_AGENT = "staking-gateway-webhooks/1"
MAX_ERROR_DETAIL = 200
MAX_ANSWER_BYTES = 64 * 1024
SHUTDOWN_GRACE_SECONDS = 2.0

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SenderPolicy:
    poll_seconds: float = 1.0
    lease_ttl: float = 30.0
    timeout_seconds: float = 10.0
    concurrency: int = 16
    batch: int = 200
    # A missing cursor is an insert not committed yet, or a value PostgreSQL's sequence
    # burnt on a conflict; after this long it is taken to be the latter.
    commit_grace: timedelta = timedelta(seconds=2)


class WebhookSender:
    def __init__(
        self,
        store: Store,
        http: httpx.AsyncClient,
        *,
        addresses: AddressPolicy,
        retry: RetryPolicy | None = None,
        policy: SenderPolicy | None = None,
        clock: Clock = utc_now,
        holder: str | None = None,
    ) -> None:
        self.store = store
        self.webhooks = store.client_webhooks
        self.http = http
        self.addresses = addresses
        self.retry = retry or RetryPolicy()
        self.policy = policy or SenderPolicy()
        self.clock = clock
        self.holder = holder or f"replica-{uuid.uuid4().hex[:12]}"
        self.outcomes: Counter[str] = Counter({"delivered": 0, "failed": 0})
        self.leading = False
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._finished_lately: set[int] = set()
        self._gate = asyncio.Semaphore(self.policy.concurrency)
        self._wake = asyncio.Event()

    # Fan-out

    async def fan_out_once(self) -> int:
        """Queues the deliveries of the next events; returns how many were queued."""
        position = await self.webhooks.position(FANOUT)
        recorded = await self.store.history.recorded_after(position, self.policy.batch)
        now = self.clock()
        taken: list[tuple[StatusEvent, datetime]] = []
        last = position
        for event, recorded_at in recorded:
            if (
                event.cursor != last + 1
                and now - recorded_at < self.policy.commit_grace
            ):
                break  # an earlier insert may still commit: wait for it
            taken.append((event, recorded_at))
            last = event.cursor
        if not taken:
            return 0
        applied = [(e, at) for e, at in taken if e.applied]
        owners = list({(e.provider, e.owner) for e, _ in applied})
        subscribers = await self.webhooks.subscribers(owners)
        deliveries = await self._deliveries(applied, subscribers)
        moved = await self.webhooks.enqueue_and_advance(
            FANOUT, position, last, deliveries, now, owners, subscribers
        )
        return len(deliveries) if moved else 0

    async def _deliveries(
        self,
        events: Sequence[tuple[StatusEvent, datetime]],
        subscribers: Mapping[tuple[Provider, str], Sequence[WebhookEndpoint]],
    ) -> list[NewDelivery]:
        stakes: dict[tuple[str, str], str | None] = {}
        queued: list[NewDelivery] = []
        for event, recorded_at in events:
            event_type = event_type_of(event)
            endpoints = [
                endpoint
                for endpoint in subscribers.get((event.provider, event.owner), ())
                if event_type in endpoint.event_types
                # An endpoint hears of what happened after it was registered.
                and endpoint.created_at <= recorded_at
            ]
            if not endpoints:
                continue
            body = await self.body_for(event, recorded_at, stakes)
            event_id = event_id_for(event.cursor, event_type)
            queued += [
                NewDelivery(
                    endpoint_id=endpoint.id,
                    event_id=event_id,
                    event_type=event_type,
                    cursor=event.cursor,
                    ordering_key=ordering_key(event),
                    body=body,
                )
                for endpoint in endpoints
            ]
        return queued

    async def body_for(
        self,
        event: StatusEvent,
        recorded_at: datetime,
        stakes: dict[tuple[str, str], str | None] | None = None,
    ) -> str:
        stakes = {} if stakes is None else stakes
        stake_payload = None
        if event.entity_kind is not EntityKind.STAKE and event.provider_stake_id:
            key = (event.provider.value, event.provider_stake_id)
            if key not in stakes:
                stakes[key] = await self.store.history.latest_payload(
                    event.provider, EntityKind.STAKE, event.provider_stake_id
                )
            stake_payload = stakes[key]
        event_type = event_type_of(event)
        return event_body(
            event_id_for(event.cursor, event_type),
            event_type,
            event,
            stake_payload,
            recorded_at,
        )

    # Sending

    async def send_due_once(self, *, wait: bool = True) -> int:
        """Starts every delivery due now (one per stake per endpoint) that is not in
        flight already; returns how many it started. With `wait`, returns once they
        are sent; without (the loop), a slow endpoint holds up nobody else."""
        if len(self._in_flight) >= self.policy.batch:
            return 0
        # One that finishes while the query runs may still read as pending in it.
        self._finished_lately.clear()
        due = await self.webhooks.due(self.clock(), limit=self.policy.batch)
        fresh = [
            d
            for d in due
            if d.id not in self._in_flight and d.id not in self._finished_lately
        ]
        if not fresh:
            return 0
        endpoints = await self.webhooks.with_secrets([d.endpoint_id for d in fresh])
        started = []
        for delivery in fresh:
            found = endpoints.get(delivery.endpoint_id)
            if found is None:
                continue  # removed meanwhile; its deliveries went with it
            task = asyncio.create_task(self._send(delivery, *found))
            self._in_flight[delivery.id] = task
            task.add_done_callback(functools.partial(self._finished, delivery.id))
            started.append(task)
        if wait:
            await asyncio.gather(*started)
        return len(started)

    async def _send(
        self, delivery: WebhookDelivery, endpoint: WebhookEndpoint, secret: str
    ) -> None:
        try:
            async with self._gate:
                await self.attempt(delivery, endpoint, secret)
        except asyncio.CancelledError:
            raise
        except Exception:  # recorded nothing: still PENDING, it is sent again
            log.exception("webhook delivery %s failed to record", delivery.id)

    def _finished(self, delivery_id: int, _: "asyncio.Task[None]") -> None:
        self._in_flight.pop(delivery_id, None)
        self._finished_lately.add(delivery_id)
        # Whatever waited behind it in its stake's order may go now.
        self._wake.set()

    async def attempt(
        self,
        delivery: WebhookDelivery,
        endpoint: WebhookEndpoint,
        secret: str,
        *,
        retry: bool = True,
    ) -> DeliveryAttempt:
        """Sends `delivery` once and records the attempt, the delivery's next state and
        the endpoint's health. `retry=False` (a test ping) never schedules another."""
        at = self.clock()
        started = time.perf_counter()
        status, error, retry_after = await self._post(delivery, endpoint, secret, at)
        attempt = DeliveryAttempt(
            attempt=delivery.attempts + 1,
            attempted_at=at,
            status_code=status,
            error=error,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        ok = status is not None and 200 <= status < 300
        self.outcomes["delivered" if ok else "failed"] += 1
        if retry:
            outcome = self._outcome(delivery, ok, attempt, retry_after)
        else:
            outcome = AttemptOutcome(
                state=DeliveryState.DELIVERED if ok else DeliveryState.FAILED,
                next_attempt_at=None,
                ok=ok,
                counts_for_health=False,
            )
        await self.webhooks.record_attempt(
            delivery, attempt, outcome, disable_after=self.retry.window
        )
        return attempt

    async def _post(
        self,
        delivery: WebhookDelivery,
        endpoint: WebhookEndpoint,
        secret: str,
        at: datetime,
    ) -> tuple[int | None, str | None, float | None]:
        try:
            # Again at each send: a name may resolve elsewhere since registration.
            await check_url(endpoint.url, self.addresses)
        except UserFacingError as refused:
            return None, f"refused: {refused.error.message}", None
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            ID_HEADER: delivery.event_id,
            EVENT_TYPE_HEADER: delivery.event_type.value,
        }
        signer = WebhookSigner(secret, lambda: self.clock().timestamp())
        try:
            async with self.http.stream(
                "POST",
                endpoint.url,
                content=delivery.body.encode(),
                headers=headers,
                auth=signer,
                timeout=self.policy.timeout_seconds,
            ) as response:
                retry_after = parse_retry_after(response.headers.get("retry-after"), at)
                # A short answer is read to its end, so the connection is kept for the
                # next delivery; a long one is cut off: no endpoint makes us download.
                received = 0
                async for chunk in response.aiter_raw():
                    received += len(chunk)
                    if received > MAX_ANSWER_BYTES:
                        break
                return response.status_code, None, retry_after
        except httpx.HTTPError as failure:
            detail = str(failure)[:MAX_ERROR_DETAIL]
            name = type(failure).__name__
            return None, f"{name}: {detail}" if detail else name, None

    def _outcome(
        self,
        delivery: WebhookDelivery,
        ok: bool,
        attempt: DeliveryAttempt,
        retry_after: float | None,
    ) -> AttemptOutcome:
        at = attempt.attempted_at
        if ok:
            return AttemptOutcome(DeliveryState.DELIVERED, None, ok=True)
        window = self.retry.window
        first = delivery.first_attempt_at or at
        if at - first >= window:
            return AttemptOutcome(DeliveryState.FAILED, None, ok=False)
        wait = timedelta(seconds=self.retry.delay(attempt.attempt, retry_after))
        # One last attempt at the window's end, rather than none past it.
        next_at = min(at + wait, first + window)
        return AttemptOutcome(DeliveryState.PENDING, next_at, ok=False)

    # The loop

    async def run(self) -> None:
        """Fans out and sends while this replica holds the lease, until cancelled."""
        ttl = timedelta(seconds=self.policy.lease_ttl)
        try:
            while True:
                try:
                    self.leading = await self.store.leases.acquire(
                        LEASE, self.holder, ttl
                    )
                    while self.leading and await self._round():
                        # Renewed between rounds: a long backlog keeps its sender.
                        self.leading = await self.store.leases.acquire(
                            LEASE, self.holder, ttl
                        )
                except asyncio.CancelledError:
                    raise
                except Exception:  # a bad cycle must not end the sender
                    log.exception("webhook sender cycle failed")
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.policy.poll_seconds)
                self._wake.clear()
        finally:
            tasks = list(self._in_flight.values())
            if tasks:
                # A moment to record what is already answered, rather than cut a
                # write short; the rest stays PENDING and is sent again.
                await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_SECONDS)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _round(self) -> bool:
        """One fan-out and one dispatch; True while there may be more to do at once."""
        queued = await self.fan_out_once()
        sent = await self.send_due_once(wait=False)
        return queued > 0 or sent > 0

    def wake(self) -> None:
        """Something was recorded: look now, not at the next poll."""
        self._wake.set()
