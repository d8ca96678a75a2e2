"""The database tables. Storage types only: the Store converts them to and from the domain."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def _utc_column(*, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


class ApiClientRow(SQLModel, table=True):
    __tablename__ = "api_client"

    id: str = Field(primary_key=True)
    name: str
    key_prefix: str = Field(index=True)
    key_hash: str = Field(unique=True)
    created_at: datetime = Field(sa_column=_utc_column())
    revoked_at: datetime | None = Field(
        default=None, sa_column=_utc_column(nullable=True)
    )


class ClientIdentityRow(SQLModel, table=True):
    __tablename__ = "client_identity"
    __table_args__ = (UniqueConstraint("client_id", "provider", "identity"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="api_client.id", index=True)
    provider: str
    identity: str


class IdempotencyRow(SQLModel, table=True):
    """One mutation keyed by the caller's externalId: claimed first, completed after."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("client_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str
    external_id: str
    operation: str
    request_hash: str
    state: str  # "pending" while a request holds it, then "done"
    response: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


class StatusEventRow(SQLModel, table=True):
    """The status history and the outbox at once: one row per observed fact.

    `cursor` is monotonic and is what subscribers resume from; `fact_key` makes the same
    fact, however often reported, one row.
    """

    __tablename__ = "status_event"

    cursor: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    fact_key: str = Field(unique=True)
    provider: str = Field(index=True)
    entity_kind: str  # STAKE, ACTION or REWARD
    entity_id: str
    provider_stake_id: str | None = Field(default=None, index=True)
    owner: str = Field(index=True)
    from_status: str | None = None
    to_status: str
    provider_status: str
    # False when a stale or out-of-order report was recorded without moving the status.
    applied: bool = True
    source: str
    provider_event_id: str | None = None
    occurred_at: datetime = Field(sa_column=_utc_column())
    recorded_at: datetime = Field(sa_column=_utc_column())
    payload: str = Field(sa_column=Column(Text, nullable=False))
    published: bool = False
    # An alert that the action stayed in one provider status too long (migration 4).
    stuck: bool = False


class EntityStateRow(SQLModel, table=True):
    """The latest status the gateway knows of each stake and action, to keep it monotonic."""

    __tablename__ = "entity_state"

    provider: str = Field(primary_key=True)
    entity_kind: str = Field(primary_key=True)
    entity_id: str = Field(primary_key=True)
    owner: str
    status: str
    provider_status: str
    rank: int
    updated_at: datetime = Field(sa_column=_utc_column())


class WebhookEventRow(SQLModel, table=True):
    __tablename__ = "webhook_event"
    __table_args__ = (
        UniqueConstraint("provider", "event_id"),
        UniqueConstraint("provider", "dedupe_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str
    event_id: str
    dedupe_key: str
    event_type: str
    received_at: datetime = Field(sa_column=_utc_column())
    payload: str = Field(sa_column=Column(Text, nullable=False))


class SchemaVersionRow(SQLModel, table=True):
    __tablename__ = "schema_version"

    version: int = Field(primary_key=True)
    description: str
    applied_at: datetime = Field(sa_column=_utc_column())


class WatcherLeaseRow(SQLModel, table=True):
    """Which replica polls a provider now; a lease not renewed in time passes on."""

    __tablename__ = "watcher_lease"

    provider: str = Field(primary_key=True)
    holder: str
    expires_at: datetime = Field(sa_column=_utc_column())


class WebhookEndpointRow(SQLModel, table=True):
    """An endpoint a client registered for outbound webhooks; the secret signs them."""

    __tablename__ = "webhook_endpoint"

    id: str = Field(primary_key=True)
    client_id: str = Field(foreign_key="api_client.id", index=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    event_types: str  # comma-separated WebhookEventType values
    description: str | None = None
    secret: str
    created_at: datetime = Field(sa_column=_utc_column())
    failing_since: datetime | None = Field(
        default=None, sa_column=_utc_column(nullable=True)
    )
    disabled_at: datetime | None = Field(
        default=None, sa_column=_utc_column(nullable=True)
    )
    disabled_reason: str | None = None


class WebhookDeliveryRow(SQLModel, table=True):
    """One event due to one endpoint: the outbound outbox, retried until delivered."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
        Index("ix_webhook_delivery_order", "endpoint_id", "ordering_key", "id"),
        Index("ix_webhook_delivery_event", "endpoint_id", "event_id"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    endpoint_id: str = Field(
        sa_column=Column(
            Text, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False
        )
    )
    event_id: str
    event_type: str
    cursor: int | None = Field(default=None, sa_column=Column(BigInteger))
    # Deliveries sharing a key (one stake) go out one at a time, in id order.
    ordering_key: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: str
    attempts: int = 0
    created_at: datetime = Field(sa_column=_utc_column())
    first_attempt_at: datetime | None = Field(
        default=None, sa_column=_utc_column(nullable=True)
    )
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=_utc_column(nullable=True)
    )
    delivered_at: datetime | None = Field(
        default=None, sa_column=_utc_column(nullable=True)
    )
    last_status: int | None = None
    last_error: str | None = None


class WebhookAttemptRow(SQLModel, table=True):
    """The delivery log: every request sent, with its answer and how long it took."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"),
            ForeignKey("webhook_delivery.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    attempt: int
    attempted_at: datetime = Field(sa_column=_utc_column())
    status_code: int | None = None
    error: str | None = None
    latency_ms: float


class OutboxCursorRow(SQLModel, table=True):
    """How far a consumer of the status history has read it (the webhook fan-out)."""

    __tablename__ = "outbox_cursor"

    name: str = Field(primary_key=True)
    cursor: int = Field(sa_column=Column(BigInteger, nullable=False))
