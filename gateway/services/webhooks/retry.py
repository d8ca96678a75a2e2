"""When to try a failed delivery again: exponential backoff with jitter, `Retry-After`
honoured, for at most the retry window (24 h); an endpoint failing that long is disabled."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


@dataclass
class RetryPolicy:
    base_seconds: float = 5.0
    max_delay_seconds: float = 3600.0
    window: timedelta = timedelta(hours=24)
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds before attempt `attempt + 1`, after `attempt` failed ones."""
        ceiling = min(self.max_delay_seconds, self.base_seconds * 2.0 ** (attempt - 1))
        # "Equal jitter": never sooner than half the step, so the backoff still grows,
        # and spread over the other half, so failed endpoints are not hit in lockstep.
        backoff = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        if retry_after is not None:
            return min(max(backoff, retry_after), self.window.total_seconds())
        return backoff


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a `Retry-After` header: a number, or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
