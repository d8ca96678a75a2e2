"""Rewards that accrue with the simulated clock: simple interest over the periods an
amount was earning, in exact integer minimum units."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

_MICROSECOND = timedelta(microseconds=1)
_YEAR_MICROS = timedelta(days=365) // _MICROSECOND


@dataclass
class _Period:
    start: datetime
    amount: int
    end: datetime | None = None


@dataclass
class Accrual:
    apy_bps: int
    periods: list[_Period] = field(default_factory=list)

    def earning(self) -> int:
        open_period = self._open()
        return open_period.amount if open_period else 0

    def _open(self) -> _Period | None:
        return (
            self.periods[-1] if self.periods and self.periods[-1].end is None else None
        )

    def stop(self, at: datetime) -> None:
        period = self._open()
        if period is not None:
            period.end = max(at, period.start)

    def earn(self, at: datetime, amount: int) -> None:
        """From `at` on, `amount` earns (replacing whatever earned before)."""
        self.stop(at)
        if amount > 0:
            self.periods.append(_Period(start=at, amount=amount))

    def earned(self, now: datetime) -> int:
        weighted = 0
        for period in self.periods:
            end = min(period.end or now, now)
            if end > period.start:
                weighted += period.amount * ((end - period.start) // _MICROSECOND)
        return weighted * self.apy_bps // (10_000 * _YEAR_MICROS)
