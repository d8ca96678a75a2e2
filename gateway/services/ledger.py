"""The rewards ledger over every linked provider: streamed row by row, paged by cursor,
or summed per period and asset.

Rows come from the providers, one identity at a time, so an export holds one identity's
rewards in memory, never the whole ledger. Their order is stable: provider, identity,
then credit time and reward id; a cursor is a position in it.
"""

import base64
import binascii
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import orjson

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider
from gateway.domain.errors import invalid_input
from gateway.domain.ledger import GroupBy, LedgerQuery, LedgerRow, PeriodTotal
from gateway.domain.models import ProviderFailure, Reward
from gateway.services.provider_set import ProviderSet, failure_of
from providers.base import ProviderError

MAX_LEDGER_PAGE = 1000
# An identity's whole reward history is one read of many pages (a year of daily rewards
# for 100 stakes is 366 Zerohash pages): the per-call provider timeout, meant for one
# answer, would cut it off on a busy box. Each page still has its own deadline.
LEDGER_READ_SECONDS = 120.0
DEFAULT_LEDGER_PAGE = 100
# Undated rows sort first within their identity.
_UNDATED = datetime(1970, 1, 1, tzinfo=UTC)

Position = tuple[int, str, str, str]  # provider index, owner, credited_at, reward id


def _row(reward: Reward) -> LedgerRow:
    return LedgerRow(
        credited_at=reward.credited_at,
        provider=reward.provider,
        owner=reward.owner,
        provider_stake_id=reward.provider_stake_id,
        provider_reward_id=reward.provider_reward_id,
        asset=reward.asset.symbol,
        amount=reward.amount,
        usd_value=reward.usd_value,
        running_total=reward.cumulative,
    )


def _wanted(reward: Reward, query: LedgerQuery) -> bool:
    if query.asset and reward.asset.symbol.upper() != query.asset.upper():
        return False
    at = reward.credited_at
    if (query.start or query.end) and at is None:
        return False
    if query.start and at is not None and at < query.start:
        return False
    return not (query.end and at is not None and at >= query.end)


def _sort_key(row: LedgerRow) -> tuple[datetime, str]:
    return (row.credited_at or _UNDATED, row.provider_reward_id)


def encode_position(position: Position) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(position))).decode().rstrip("=")


def decode_position(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        index, owner, at, reward_id = orjson.loads(raw)
        return (int(index), str(owner), str(at), str(reward_id))
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise invalid_input(
            "This cursor is not one the gateway gave out.", "after"
        ) from None


def _position(index: int, row: LedgerRow) -> Position:
    at, reward_id = _sort_key(row)
    return (index, row.owner, at.isoformat(), reward_id)


def _after(position: Position, bound: Position) -> bool:
    return (
        position[0],
        position[1],
        datetime.fromisoformat(position[2]),
        position[3],
    ) > (
        bound[0],
        bound[1],
        datetime.fromisoformat(bound[2]),
        bound[3],
    )


@dataclass
class LedgerPage:
    rows: list[LedgerRow]
    has_next_page: bool
    end_cursor: str | None


@dataclass
class Summary:
    totals: list[PeriodTotal]
    failures: list[ProviderFailure] = field(default_factory=list)


def period_of(at: datetime, group_by: GroupBy) -> tuple[str, datetime]:
    at = at.astimezone(UTC)
    if group_by is GroupBy.DAY:
        start = datetime(at.year, at.month, at.day, tzinfo=UTC)
        return start.date().isoformat(), start
    if group_by is GroupBy.MONTH:
        return f"{at.year:04d}-{at.month:02d}", datetime(
            at.year, at.month, 1, tzinfo=UTC
        )
    return f"{at.year:04d}", datetime(at.year, 1, 1, tzinfo=UTC)


class RewardsLedger:
    def __init__(self, providers: ProviderSet) -> None:
        self.providers = providers

    def _sources(self, caller: Caller, query: LedgerQuery) -> list[Provider]:
        wanted = set(query.providers) if query.providers else set(Provider)
        return [
            p for p in caller.providers if p in wanted and p in self.providers.adapters
        ]

    async def _of_owner(
        self, provider: Provider, owner: str, query: LedgerQuery
    ) -> list[LedgerRow]:
        adapter = self.providers.adapter(provider)
        owners = (owner,)
        rewards = await self.providers.read(
            provider,
            ("rewards", owners),
            lambda: adapter.list_rewards(owners),
            budget_seconds=LEDGER_READ_SECONDS,
        )
        rows = [_row(r) for r in rewards if r.owner == owner and _wanted(r, query)]
        return sorted(rows, key=_sort_key)

    async def stream(
        self, caller: Caller, query: LedgerQuery, after: Position | None = None
    ) -> AsyncIterator[tuple[Position, LedgerRow]]:
        """Every row the caller may see, in ledger order; raises ProviderError when a
        provider cannot answer (an export must not be silently short)."""
        for index, provider in enumerate(Provider):
            if provider not in self._sources(caller, query):
                continue
            if after is not None and index < after[0]:
                continue
            for owner in sorted(caller.owners(provider)):
                if after is not None and (index, owner) < (after[0], after[1]):
                    continue
                for row in await self._of_owner(provider, owner, query):
                    position = _position(index, row)
                    if after is None or _after(position, after):
                        yield position, row

    async def page(
        self,
        caller: Caller,
        query: LedgerQuery,
        *,
        first: int | None = None,
        after: str | None = None,
    ) -> LedgerPage:
        size = DEFAULT_LEDGER_PAGE if first is None else first
        if not 0 <= size <= MAX_LEDGER_PAGE:
            raise invalid_input(f"`first` must be 0 to {MAX_LEDGER_PAGE}.", "first")
        bound = decode_position(after) if after else None
        rows: list[tuple[Position, LedgerRow]] = []
        async for item in self.stream(caller, query, bound):
            rows.append(item)
            if len(rows) > size:
                break
        shown = rows[:size]
        return LedgerPage(
            rows=[row for _, row in shown],
            has_next_page=len(rows) > size,
            end_cursor=encode_position(shown[-1][0]) if shown else None,
        )

    async def summary(
        self, caller: Caller, query: LedgerQuery, group_by: GroupBy
    ) -> Summary:
        """Totals per period and asset; a provider that cannot answer is a failure
        beside the others' totals."""
        sums: dict[tuple[str, str], _Running] = {}
        failures: list[ProviderFailure] = []
        for provider in self._sources(caller, query):
            single = LedgerQuery(query.start, query.end, (provider,), query.asset)
            # Per provider first: one that fails halfway adds nothing.
            part: dict[tuple[str, str], _Running] = {}
            try:
                async for _, row in self.stream(caller, single):
                    if row.credited_at is None:
                        continue
                    period, start = period_of(row.credited_at, group_by)
                    part.setdefault((period, row.asset), _Running(start)).add(row)
            except ProviderError as error:
                failures.append(failure_of(error))
                continue
            for key, running in part.items():
                sums.setdefault(key, _Running(running.start)).merge(running)
        totals = [sums[key].total(*key) for key in sorted(sums)]
        return Summary(totals=totals, failures=failures)


@dataclass
class _Running:
    start: datetime
    amount: Decimal = Decimal(0)
    usd: Decimal = Decimal(0)
    count: int = 0
    priced: int = 0
    running_totals: bool = False

    def add(self, row: LedgerRow) -> None:
        self.amount += row.amount
        self.count += 1
        if row.usd_value is not None:
            self.usd += row.usd_value
            self.priced += 1
        self.running_totals = self.running_totals or row.running_total

    def merge(self, other: "_Running") -> None:
        self.amount += other.amount
        self.usd += other.usd
        self.count += other.count
        self.priced += other.priced
        self.running_totals = self.running_totals or other.running_totals

    def total(self, period: str, asset: str) -> PeriodTotal:
        return PeriodTotal(
            period=period,
            period_start=self.start,
            asset=asset,
            amount=self.amount,
            usd_value=self.usd if self.priced else None,
            reward_count=self.count,
            priced_count=self.priced,
            includes_running_totals=self.running_totals,
        )
