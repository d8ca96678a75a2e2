"""What a client does with its webhooks: register, list, remove and enable endpoints,
read their delivery log, send a test ping, redeliver an event, replay from a cursor.

Every call is scoped to one client: another client's endpoint is not found, whatever
its id.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.domain.caller import Caller
from gateway.domain.errors import invalid_input, not_found
from gateway.domain.history import EntityKind
from gateway.domain.webhooks import (
    SUBSCRIBABLE,
    DeliveryAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    event_id_for,
    event_type_of,
)
from gateway.services.webhooks.addresses import AddressPolicy, check_url
from gateway.services.webhooks.payloads import ordering_key, ping_body
from gateway.services.webhooks.sender import FANOUT, WebhookSender
from gateway.services.webhooks.signing import new_secret
from gateway.store.client_webhooks import NewDelivery
from gateway.store.store import Store

MAX_ENDPOINTS_PER_CLIENT = 20
MAX_DESCRIPTION = 200
REPLAY_BATCH = 1000
LOG_PAGE_MAX = 100


@dataclass(frozen=True, slots=True)
class Registered:
    endpoint: WebhookEndpoint
    secret: str  # shown once, never again


@dataclass(frozen=True, slots=True)
class Replayed:
    queued: int
    last_cursor: int | None  # pass it as `after` again while `queued` is the batch size


class WebhookRegistry:
    def __init__(
        self, store: Store, addresses: AddressPolicy, sender: WebhookSender
    ) -> None:
        self.store = store
        self.webhooks = store.client_webhooks
        self.addresses = addresses
        self.sender = sender

    async def register(
        self,
        client_id: str,
        url: str,
        event_types: Sequence[WebhookEventType],
        description: str | None = None,
    ) -> Registered:
        checked = await check_url(url, self.addresses, "input", "url")
        chosen = tuple(dict.fromkeys(event_types))
        if not chosen or any(t not in SUBSCRIBABLE for t in chosen):
            raise invalid_input(
                "Name at least one event type: "
                + ", ".join(t.value for t in SUBSCRIBABLE),
                "input",
                "eventTypes",
            )
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise invalid_input("The description is too long.", "input", "description")
        if len(await self.webhooks.endpoints(client_id)) >= MAX_ENDPOINTS_PER_CLIENT:
            raise invalid_input(
                f"A client may register at most {MAX_ENDPOINTS_PER_CLIENT} endpoints.",
                "input",
                "url",
            )
        endpoint = WebhookEndpoint(
            id=f"we_{uuid.uuid4().hex}",
            client_id=client_id,
            url=checked,
            event_types=chosen,
            created_at=self.sender.clock(),
            description=description,
        )
        secret = new_secret()
        endpoint = await self.webhooks.create_endpoint(
            endpoint, secret, fan_out=FANOUT, clock=self.sender.clock
        )
        return Registered(endpoint, secret)

    async def endpoints(self, client_id: str | None) -> list[WebhookEndpoint]:
        """A client's endpoints; every client's for the operator (None)."""
        return await self.webhooks.endpoints(client_id)

    async def endpoint(self, client_id: str, endpoint_id: str) -> WebhookEndpoint:
        found = await self.webhooks.endpoint(endpoint_id, client_id)
        if found is None:
            raise not_found("No such webhook endpoint.", "endpointId")
        return found

    async def remove(self, client_id: str | None, endpoint_id: str) -> bool:
        return await self.webhooks.delete_endpoint(endpoint_id, client_id)

    async def enable(self, client_id: str, endpoint_id: str) -> WebhookEndpoint:
        await self.endpoint(client_id, endpoint_id)
        enabled = await self.webhooks.enable_endpoint(endpoint_id, client_id)
        assert enabled is not None
        return enabled

    async def deliveries(
        self,
        client_id: str,
        endpoint_id: str,
        *,
        first: int = 20,
        before: int | None = None,
    ) -> list[WebhookDelivery]:
        await self.endpoint(client_id, endpoint_id)
        return await self.webhooks.deliveries(
            [endpoint_id], limit=max(0, min(first, LOG_PAGE_MAX)), before=before
        )

    async def test(self, client_id: str, endpoint_id: str) -> DeliveryAttempt:
        """Sends a signed ping now, from this replica, and logs it like any delivery."""
        endpoint = await self.endpoint(client_id, endpoint_id)
        found = await self.webhooks.with_secrets([endpoint_id])
        _, secret = found[endpoint_id]
        now = self.sender.clock()
        event_id = f"evt_ping_{uuid.uuid4().hex}"
        delivery = await self.webhooks.enqueue_one(
            NewDelivery(
                endpoint_id=endpoint_id,
                event_id=event_id,
                event_type=WebhookEventType.PING,
                cursor=None,
                ordering_key=event_id,
                body=ping_body(event_id, endpoint_id, now),
                scheduled=False,
            ),
            now,
        )
        return await self.sender.attempt(delivery, endpoint, secret, retry=False)

    async def redeliver(
        self, client_id: str, event_id: str, endpoint_id: str | None = None
    ) -> int:
        """Queues the event again, with its id and body, for each of the client's
        endpoints that had it (or the one named)."""
        endpoints = await self._scope(client_id, endpoint_id)
        sent = await self.webhooks.deliveries(
            [e.id for e in endpoints], limit=LOG_PAGE_MAX, event_id=event_id
        )
        latest: dict[str, WebhookDelivery] = {}
        for delivery in sent:  # newest first: keep the first seen per endpoint
            latest.setdefault(delivery.endpoint_id, delivery)
        if not latest:
            raise not_found("No delivery of that event to your endpoints.", "eventId")
        again = [
            NewDelivery(
                endpoint_id=d.endpoint_id,
                event_id=d.event_id,
                event_type=d.event_type,
                cursor=d.cursor,
                ordering_key=d.ordering_key,
                body=d.body,
            )
            for d in latest.values()
        ]
        return await self.webhooks.enqueue(again, self.sender.clock())

    async def replay(
        self, caller: Caller, after: int, endpoint_id: str | None = None
    ) -> Replayed:
        """Queues every event after the cursor that the caller may see, again, for its
        endpoints subscribed to its type; at most REPLAY_BATCH per call."""
        endpoints = await self._scope(caller.client_id, endpoint_id)
        owners = [(p, o) for p in caller.providers for o in caller.owners(p)]
        events = await self.store.history.after(
            after,
            kinds=(EntityKind.STAKE, EntityKind.ACTION, EntityKind.REWARD),
            owners=owners,
            limit=REPLAY_BATCH,
        )
        queued: list[NewDelivery] = []
        stakes: dict[tuple[str, str], str | None] = {}
        now = self.sender.clock()
        for event in events:
            event_type = event_type_of(event)
            wanted = [e for e in endpoints if event_type in e.event_types]
            if not wanted:
                continue
            body = await self.sender.body_for(event, now, stakes)
            queued += [
                NewDelivery(
                    endpoint_id=endpoint.id,
                    event_id=event_id_for(event.cursor, event_type),
                    event_type=event_type,
                    cursor=event.cursor,
                    ordering_key=ordering_key(event),
                    body=body,
                )
                for endpoint in wanted
            ]
        await self.webhooks.enqueue(queued, now)
        return Replayed(
            queued=len(queued), last_cursor=events[-1].cursor if events else None
        )

    async def _scope(
        self, client_id: str, endpoint_id: str | None
    ) -> list[WebhookEndpoint]:
        if endpoint_id is not None:
            return [await self.endpoint(client_id, endpoint_id)]
        return await self.webhooks.endpoints(client_id)
