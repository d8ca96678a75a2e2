"""What the gateway tells of the providers themselves: their failures and health."""

from datetime import datetime

import strawberry

from gateway.domain import models
from gateway.schema.enums import Provider, ProviderState


@strawberry.type(
    description="A provider that could not answer its part of a request. The rest stands."
)
class ProviderFailure:
    provider: Provider = strawberry.field(description="The provider that failed.")
    code: str = strawberry.field(
        description=(
            "A short machine-readable code, e.g. TIMEOUT, UNAVAILABLE or INTERNAL."
        )
    )
    message: str = strawberry.field(
        description="For people: what went wrong, safe to show in a UI."
    )
    retryable: bool = strawberry.field(
        description="True if trying again later may succeed."
    )

    @classmethod
    def of(cls, failure: models.ProviderFailure) -> "ProviderFailure":
        return cls(
            provider=failure.provider,
            code=failure.code,
            message=failure.message,
            retryable=failure.retryable,
        )


@strawberry.type(
    description="How one upstream provider is doing, as the gateway sees it."
)
class ProviderHealth:
    provider: Provider = strawberry.field(description="The provider.")
    state: ProviderState = strawberry.field(description="UP, DEGRADED or DOWN.")
    latency_ms: float | None = strawberry.field(
        description=(
            "Recent average response time in milliseconds; null before the first call."
        )
    )
    circuit_open: bool = strawberry.field(
        description=(
            "True while the gateway stops calling this provider after "
            "repeated failures."
        )
    )
    last_error: str | None = strawberry.field(
        description="The last error seen, as code and message; null if none."
    )
    checked_at: datetime | None = strawberry.field(
        description=(
            "When the provider last answered or failed (UTC, ISO 8601); "
            "null before the first call."
        )
    )
