"""Crocante's JSON as typed values, read strictly: a wrong answer is a protocol error.

Crocante is camelCase. Amounts are decimal strings in whole units; `apy` is a fraction
("0.08" = 8 %). Times are ISO 8601; the seed writes them in UTC with a `Z`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from gateway.domain.enums import Provider, StakingMode
from providers.base import ProviderProtocolError, parse_decimal

P = Provider.CROCANTE
T = TypeVar("T")
# An APY above 1000 % is not a staking product, it is a broken answer.
_MAX_APY = Decimal(10)
_MAX_DURATION_DAYS = 36_500


@dataclass(frozen=True, slots=True)
class CrocanteStakingType:
    id: str
    currency_id: str
    mode: StakingMode
    apy: Decimal
    min_amount: Decimal
    duration_days: int | None


@dataclass(frozen=True, slots=True)
class CrocanteOperation:
    id: str
    creator_id: str | None
    owner_id: str | None
    opened_at: datetime
    updated_at: datetime | None
    closed_at: datetime | None
    status: str
    type: str | None
    full_type: str | None


class PositionList(Enum):
    """The two lists a position is read from (seed 003): the active (unredeemed) ones
    and the redeemed (closed) ones."""

    ACTIVE = "active"
    REDEEMED = "redeemed"


@dataclass(frozen=True, slots=True)
class CrocantePosition:
    type_id: str
    starts_at: datetime
    redeemable_at: datetime | None
    initial_amount: Decimal
    initial_apy: Decimal | None
    amount: Decimal
    yield_: Decimal
    est_redeem_yield: Decimal | None
    apy: Decimal
    staking_type: CrocanteStakingType
    operation: CrocanteOperation
    # Where it was listed: with `operation.closedAt`, what says whether it is closed.
    listed_in: PositionList = PositionList.ACTIVE


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProviderProtocolError(P, f"{what} is not an object")
    return value


def _string(obj: dict[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 256:
        raise ProviderProtocolError(P, f"{what}.{key} is missing or not a string")
    return value


def _optional_string(obj: dict[str, Any], key: str, what: str) -> str | None:
    return None if obj.get(key) is None else _string(obj, key, what)


def _amount(obj: dict[str, Any], key: str, what: str) -> Decimal:
    value = parse_decimal(P, obj.get(key), f"{what}.{key}")
    if value < 0:
        raise ProviderProtocolError(P, f"{what}.{key} is negative")
    return value


def _optional_amount(obj: dict[str, Any], key: str, what: str) -> Decimal | None:
    return None if obj.get(key) is None else _amount(obj, key, what)


def _apy(obj: dict[str, Any], key: str, what: str) -> Decimal:
    value = _amount(obj, key, what)
    if value > _MAX_APY:
        raise ProviderProtocolError(P, f"{what}.{key} is out of range")
    return value


def _time(obj: dict[str, Any], key: str, what: str) -> datetime:
    value = obj.get(key)
    if not isinstance(value, str):
        raise ProviderProtocolError(P, f"{what}.{key} is missing or not a time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ProviderProtocolError(
            P, f"{what}.{key} is not an ISO 8601 time"
        ) from None
    # The backend's own data carries no offset at times; Crocante keeps UTC throughout.
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _optional_time(obj: dict[str, Any], key: str, what: str) -> datetime | None:
    return None if obj.get(key) is None else _time(obj, key, what)


def parse_staking_type(value: object) -> CrocanteStakingType:
    obj = _object(value, "staking type")
    what = "staking type"
    mode_word = _string(obj, "mode", what).strip().upper()
    if mode_word not in StakingMode.__members__:
        raise ProviderProtocolError(P, f"staking type mode {mode_word!r} is unknown")
    duration = obj.get("durationDays")
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int)
        or not 0 < duration <= _MAX_DURATION_DAYS
    ):
        raise ProviderProtocolError(P, "staking type durationDays is not a day count")
    return CrocanteStakingType(
        id=_string(obj, "id", what),
        currency_id=_string(obj, "currencyId", what).strip().upper(),
        mode=StakingMode[mode_word],
        apy=_apy(obj, "apy", what),
        min_amount=_amount(obj, "minAmount", what),
        duration_days=duration,
    )


def parse_operation(value: object) -> CrocanteOperation:
    obj = _object(value, "operation")
    what = "operation"
    return CrocanteOperation(
        id=_string(obj, "id", what),
        creator_id=_optional_string(obj, "creatorId", what),
        owner_id=_optional_string(obj, "ownerId", what),
        opened_at=_time(obj, "openedAt", what),
        updated_at=_optional_time(obj, "updatedAt", what),
        closed_at=_optional_time(obj, "closedAt", what),
        status=_string(obj, "status", what),
        type=_optional_string(obj, "type", what),
        full_type=_optional_string(obj, "fullType", what),
    )


def parse_position(value: object) -> CrocantePosition:
    obj = _object(value, "position")
    what = "position"
    return CrocantePosition(
        type_id=_string(obj, "typeId", what),
        starts_at=_time(obj, "startsAt", what),
        redeemable_at=_optional_time(obj, "redeemableAt", what),
        initial_amount=_amount(obj, "initialAmount", what),
        initial_apy=None
        if obj.get("initialAPY") is None
        else _apy(obj, "initialAPY", what),
        amount=_amount(obj, "amount", what),
        yield_=_amount(obj, "yield", what),
        est_redeem_yield=_optional_amount(obj, "estRedeemYield", what),
        apy=_apy(obj, "apy", what),
        staking_type=parse_staking_type(obj.get("type")),
        operation=parse_operation(obj.get("operation")),
    )


def envelope_data(body: object) -> object:
    """The `data` of Crocante's `{data, status}` envelope."""
    obj = _object(body, "response")
    if "data" not in obj:
        raise ProviderProtocolError(P, "response has no data")
    status = obj.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        raise ProviderProtocolError(P, "response status is not a number")
    return obj["data"]


def parse_list(body: object, parse: Callable[[object], T], what: str) -> list[T]:
    data = envelope_data(body)
    if not isinstance(data, list):
        raise ProviderProtocolError(P, f"{what} is not a list")
    return [parse(item) for item in data]
