"""Strict readers for Zerohash JSON: wrong types, missing fields are protocol errors."""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from gateway.domain.enums import Provider
from providers.base import ProviderProtocolError, parse_decimal

PROVIDER = Provider.ZEROHASH
JsonObject = Mapping[str, Any]
# Ids and status words are short; anything longer is not a Zerohash answer.
MAX_TEXT = 512


def protocol_error(message: str) -> ProviderProtocolError:
    return ProviderProtocolError(PROVIDER, message)


def as_object(value: object, what: str) -> JsonObject:
    if not isinstance(value, dict):
        raise protocol_error(f"{what} is not an object")
    return value


def as_list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise protocol_error(f"{what} is not a list")
    return value


def text(obj: JsonObject, key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        raise protocol_error(f"{key} is missing or not a string")
    return value


def opt_text(obj: JsonObject, key: str) -> str | None:
    if obj.get(key) is None:
        return None
    return text(obj, key)


def decimal(obj: JsonObject, key: str) -> Decimal:
    if key not in obj:
        raise protocol_error(f"{key} is missing")
    return parse_decimal(PROVIDER, obj[key], key)


def opt_decimal(obj: JsonObject, key: str) -> Decimal | None:
    if obj.get(key) is None:
        return None
    return decimal(obj, key)


def non_negative(obj: JsonObject, key: str) -> Decimal:
    number = decimal(obj, key)
    if number < 0:
        raise protocol_error(f"{key} is negative")
    return number


def opt_non_negative(obj: JsonObject, key: str) -> Decimal | None:
    if obj.get(key) is None:
        return None
    return non_negative(obj, key)


def integer(obj: JsonObject, key: str, *, low: int = 0, high: int = 10**9) -> int:
    value = obj.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise protocol_error(f"{key} is missing or not a sane integer")
    return value


def opt_integer(
    obj: JsonObject, key: str, *, low: int = 0, high: int = 10**9
) -> int | None:
    if obj.get(key) is None:
        return None
    return integer(obj, key, low=low, high=high)


def parse_datetime(value: object, what: str) -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise protocol_error(f"{what} is not a timestamp")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise protocol_error(f"{what} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        # Zerohash writes UTC; a bare timestamp is read as such.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def timestamp(obj: JsonObject, key: str) -> datetime:
    if key not in obj:
        raise protocol_error(f"{key} is missing")
    return parse_datetime(obj[key], key)


def opt_timestamp(obj: JsonObject, key: str) -> datetime | None:
    if obj.get(key) is None:
        return None
    return parse_datetime(obj[key], key)


def opt_date(obj: JsonObject, key: str) -> date | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise protocol_error(f"{key} is not a date")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise protocol_error(f"{key} is not an ISO 8601 date") from None
