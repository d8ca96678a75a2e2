"""Client webhooks in GraphQL: endpoint types, the delivery log, and the fields that
register, test, redeliver and replay. Resolvers hand over to the WebhookRegistry."""

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from gateway.domain import webhooks as domain
from gateway.domain.errors import UserFacingError, invalid_input, not_found
from gateway.schema.types import UserError
from gateway.services.webhooks.registry import WebhookRegistry


@strawberry.enum(description="What an endpoint is told of.")
class WebhookEventType(Enum):
    STAKE_STATUS_CHANGED = strawberry.enum_value(
        "stake.status_changed", description="A stake's common status moved."
    )
    ACTION_STATUS_CHANGED = strawberry.enum_value(
        "action.status_changed",
        description="An action's status moved (stake, unstake, withdraw, …).",
    )
    REWARD_RECEIVED = strawberry.enum_value(
        "reward.received", description="A reward was credited."
    )
    ACTION_STUCK = strawberry.enum_value(
        "action.stuck",
        description="An action stayed in one provider status past its threshold.",
    )


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryState(Enum):
    PENDING = strawberry.enum_value(
        "PENDING", description="Waiting for its first attempt or its next retry."
    )
    DELIVERED = strawberry.enum_value(
        "DELIVERED", description="The endpoint answered with a 2xx status."
    )
    FAILED = strawberry.enum_value(
        "FAILED", description="Given up after the retry window (24 h)."
    )


@strawberry.type(description="One request sent to an endpoint.")
class WebhookAttempt:
    attempt: int = strawberry.field(description="1 for the first try, 2 for the next…")
    attempted_at: datetime = strawberry.field(description="When it was sent.")
    status_code: int | None = strawberry.field(
        description="The endpoint's HTTP status; null when no answer came."
    )
    error: str | None = strawberry.field(
        description="Why no answer came (timeout, refused address, …)."
    )
    latency_ms: float = strawberry.field(description="Milliseconds until the answer.")

    @classmethod
    def of(cls, attempt: domain.DeliveryAttempt) -> "WebhookAttempt":
        return cls(
            attempt=attempt.attempt,
            attempted_at=attempt.attempted_at,
            status_code=attempt.status_code,
            error=attempt.error,
            latency_ms=attempt.latency_ms,
        )


@strawberry.type(description="One event owed to one endpoint, and how sending it went.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(
        description="This delivery; pass it as `before` to page back."
    )
    event_id: str = strawberry.field(
        description="The event's id, the same on every redelivery: de-duplicate by it."
    )
    type: str = strawberry.field(
        description="The event type as sent, e.g. stake.status_changed (or ping)."
    )
    cursor: str | None = strawberry.field(
        description="The status-history cursor (subscriptions' `after`, replay's too)."
    )
    state: WebhookDeliveryState = strawberry.field(description="Where it stands.")
    attempts: int = strawberry.field(description="Requests sent so far.")
    created_at: datetime = strawberry.field(description="When it was queued.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next retry goes out, while PENDING."
    )
    delivered_at: datetime | None = strawberry.field(
        description="When the endpoint acknowledged it."
    )
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the latest attempt."
    )
    last_error: str | None = strawberry.field(
        description="Why the latest attempt got no answer."
    )
    payload: str = strawberry.field(description="The JSON body sent.")
    attempt_log: list[WebhookAttempt] = strawberry.field(
        description="Every attempt, oldest first."
    )

    @classmethod
    def of(cls, delivery: domain.WebhookDelivery) -> "WebhookDelivery":
        return cls(
            id=strawberry.ID(str(delivery.id)),
            event_id=delivery.event_id,
            type=delivery.event_type.value,
            cursor=None if delivery.cursor is None else str(delivery.cursor),
            state=WebhookDeliveryState[delivery.state.name],
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            last_status_code=delivery.last_status,
            last_error=delivery.last_error,
            payload=delivery.body,
            attempt_log=[WebhookAttempt.of(a) for a in delivery.attempt_log],
        )


def _before(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise invalid_input("`before` must be a delivery id.", "before")
    return int(value)


@strawberry.type(description="An endpoint of yours that the gateway sends events to.")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="The endpoint's id.")
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    event_types: list[WebhookEventType] = strawberry.field(
        description="The event types it receives."
    )
    description: str | None = strawberry.field(description="Your note on it.")
    created_at: datetime = strawberry.field(description="When it was registered.")
    enabled: bool = strawberry.field(
        description="False once disabled: nothing is sent until it is enabled again."
    )
    disabled_at: datetime | None = strawberry.field(
        description="When the gateway disabled it, after a day of failed deliveries."
    )
    disabled_reason: str | None = strawberry.field(description="Why it was disabled.")
    failing_since: datetime | None = strawberry.field(
        description="The first failed attempt since the last success; null while healthy."
    )

    @classmethod
    def of(cls, endpoint: domain.WebhookEndpoint) -> "WebhookEndpoint":
        return cls(
            id=strawberry.ID(endpoint.id),
            url=endpoint.url,
            event_types=[WebhookEventType[t.name] for t in endpoint.event_types],
            description=endpoint.description,
            created_at=endpoint.created_at,
            enabled=endpoint.enabled,
            disabled_at=endpoint.disabled_at,
            disabled_reason=endpoint.disabled_reason,
            failing_since=endpoint.failing_since,
        )

    @strawberry.field(description="The delivery log, newest first.")
    async def deliveries(
        self,
        info: strawberry.Info,
        first: Annotated[
            int, strawberry.argument(description="How many: default 20, at most 100.")
        ] = 20,
        before: Annotated[
            str | None,
            strawberry.argument(description="A delivery id: only older ones."),
        ] = None,
    ) -> list[WebhookDelivery]:
        found = await _registry(info).deliveries(
            info.context.caller.client_id, self.id, first=first, before=_before(before)
        )
        return [WebhookDelivery.of(d) for d in found]


@strawberry.input(description="An endpoint to register.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="An http(s) URL at a public address: private, loopback and "
        "link-local ones are refused."
    )
    event_types: list[WebhookEventType] = strawberry.field(
        description="What to send it; at least one."
    )
    description: str | None = strawberry.field(
        default=None, description="A note for yourself, up to 200 characters."
    )


@strawberry.type(description="A registered endpoint, and its signing secret.")
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(description="The new endpoint.")
    secret: str | None = strawberry.field(
        description="Signs every delivery (Webhook-Signature). Shown this once: keep it."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused; empty on success."
    )


@strawberry.type(description="An endpoint after a change.")
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint.")
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused; empty on success."
    )


@strawberry.type(description="Whether an endpoint was removed.")
class DeleteWebhookEndpointPayload:
    deleted: bool = strawberry.field(description="True if it existed and is gone.")
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused; empty on success."
    )


@strawberry.type(description="How a signed test ping went.")
class TestWebhookPayload:
    delivered: bool = strawberry.field(description="True if the endpoint answered 2xx.")
    attempt: WebhookAttempt | None = strawberry.field(
        description="The request sent, its answer and latency."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused; empty on success."
    )


@strawberry.type(description="Events queued to be sent again.")
class RequeuePayload:
    queued: int = strawberry.field(description="Deliveries queued.")
    last_cursor: str | None = strawberry.field(
        description="For a replay: the last cursor covered; replay from it for more."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused; empty on success."
    )


def _registry(info: strawberry.Info) -> WebhookRegistry:
    registry: WebhookRegistry | None = info.context.services.webhooks
    assert registry is not None, "webhooks are wired in the lifespan"
    return registry


def _errors(error: UserFacingError) -> list[UserError]:
    return [UserError.of(error.error)]


_ENDPOINT_ID = strawberry.argument(description="The endpoint's id.")


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Your webhook endpoints, oldest first.")
    async def webhook_endpoints(self, info: strawberry.Info) -> list[WebhookEndpoint]:
        found = await _registry(info).endpoints(info.context.caller.client_id)
        return [WebhookEndpoint.of(e) for e in found]

    @strawberry.field(description="One of your webhook endpoints; null if not yours.")
    async def webhook_endpoint(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, _ENDPOINT_ID]
    ) -> WebhookEndpoint | None:
        try:
            found = await _registry(info).endpoint(info.context.caller.client_id, id)
        except UserFacingError:
            return None
        return WebhookEndpoint.of(found)


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Registers an endpoint for webhooks; answers its secret once."
    )
    async def create_webhook_endpoint(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateWebhookEndpointInput,
            strawberry.argument(description="The URL and the event types."),
        ],
    ) -> CreateWebhookEndpointPayload:
        try:
            registered = await _registry(info).register(
                info.context.caller.client_id,
                input.url,
                [domain.WebhookEventType[t.name] for t in input.event_types],
                input.description,
            )
        except UserFacingError as error:
            return CreateWebhookEndpointPayload(
                endpoint=None, secret=None, user_errors=_errors(error)
            )
        return CreateWebhookEndpointPayload(
            endpoint=WebhookEndpoint.of(registered.endpoint),
            secret=registered.secret,
            user_errors=[],
        )

    @strawberry.mutation(description="Removes an endpoint and its delivery log.")
    async def delete_webhook_endpoint(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, _ENDPOINT_ID]
    ) -> DeleteWebhookEndpointPayload:
        deleted = await _registry(info).remove(info.context.caller.client_id, id)
        if not deleted:
            error = not_found("No such webhook endpoint.", "id")
            return DeleteWebhookEndpointPayload(
                deleted=False, user_errors=_errors(error)
            )
        return DeleteWebhookEndpointPayload(deleted=True, user_errors=[])

    @strawberry.mutation(
        description="Enables a disabled endpoint: what queued meanwhile is sent."
    )
    async def enable_webhook_endpoint(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, _ENDPOINT_ID]
    ) -> WebhookEndpointPayload:
        try:
            found = await _registry(info).enable(info.context.caller.client_id, id)
        except UserFacingError as error:
            return WebhookEndpointPayload(endpoint=None, user_errors=_errors(error))
        return WebhookEndpointPayload(
            endpoint=WebhookEndpoint.of(found), user_errors=[]
        )

    @strawberry.mutation(description="Sends a signed ping to an endpoint, now.")
    async def test_webhook(
        self,
        info: strawberry.Info,
        endpoint_id: Annotated[strawberry.ID, _ENDPOINT_ID],
    ) -> TestWebhookPayload:
        try:
            attempt = await _registry(info).test(
                info.context.caller.client_id, endpoint_id
            )
        except UserFacingError as error:
            return TestWebhookPayload(
                delivered=False, attempt=None, user_errors=_errors(error)
            )
        code = attempt.status_code
        return TestWebhookPayload(
            delivered=code is not None and 200 <= code < 300,
            attempt=WebhookAttempt.of(attempt),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Sends an event again, same id and body, to your endpoints that had it."
    )
    async def redeliver_webhook(
        self,
        info: strawberry.Info,
        event_id: Annotated[
            str, strawberry.argument(description="The event id, as delivered.")
        ],
        endpoint_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only to this endpoint."),
        ] = None,
    ) -> RequeuePayload:
        try:
            queued = await _registry(info).redeliver(
                info.context.caller.client_id, event_id, endpoint_id
            )
        except UserFacingError as error:
            return RequeuePayload(
                queued=0, last_cursor=None, user_errors=_errors(error)
            )
        return RequeuePayload(queued=queued, last_cursor=None, user_errors=[])

    @strawberry.mutation(
        description="Sends every event after a status-history cursor again (1,000 a call)."
    )
    async def replay_webhooks(
        self,
        info: strawberry.Info,
        after: Annotated[
            str,
            strawberry.argument(
                description="A cursor from a delivery or a subscription event."
            ),
        ],
        endpoint_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only to this endpoint."),
        ] = None,
    ) -> RequeuePayload:
        if not after.isdigit():
            error = invalid_input("`after` must be a status-history cursor.", "after")
            return RequeuePayload(
                queued=0, last_cursor=None, user_errors=_errors(error)
            )
        try:
            replayed = await _registry(info).replay(
                info.context.caller, int(after), endpoint_id
            )
        except UserFacingError as error:
            return RequeuePayload(
                queued=0, last_cursor=None, user_errors=_errors(error)
            )
        last = replayed.last_cursor
        return RequeuePayload(
            queued=replayed.queued,
            last_cursor=None if last is None else str(last),
            user_errors=[],
        )
