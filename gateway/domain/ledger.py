"""The rewards ledger: one row per credited reward, and totals per period and asset."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from gateway.domain.enums import Provider


class GroupBy(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"
    YEAR = "YEAR"


@dataclass(frozen=True, slots=True)
class LedgerQuery:
    """Which rewards: credited in [start, end), at these providers, in this asset."""

    start: datetime | None = None
    end: datetime | None = None
    providers: tuple[Provider, ...] = ()
    asset: str | None = None


@dataclass(frozen=True, slots=True)
class LedgerRow:
    credited_at: datetime | None
    provider: Provider
    owner: str
    provider_stake_id: str | None
    provider_reward_id: str
    asset: str
    amount: Decimal
    usd_value: Decimal | None
    # True where the provider reports only a running total as of `credited_at`.
    running_total: bool

    @property
    def usd_source(self) -> str:
        """Who priced it: "provider" when the provider did, empty when nobody did."""
        return "provider" if self.usd_value is not None else ""


@dataclass(frozen=True, slots=True)
class PeriodTotal:
    period: str  # "2026-03-01", "2026-03" or "2026"
    period_start: datetime
    asset: str
    amount: Decimal
    usd_value: Decimal | None  # of the rows priced, None when none was
    reward_count: int
    priced_count: int
    includes_running_totals: bool
