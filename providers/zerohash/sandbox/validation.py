"""Input checks as strict as Zerohash's: wrong types, unknown fields and malformed
amounts are refused with VALIDATION_FAILED (400)."""

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from providers.zerohash.sandbox.assets import AssetSpec
from providers.zerohash.sandbox.errors import validation_failed

_AMOUNT = re.compile(r"^\d{1,30}(\.\d{1,30})?$")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_LIMIT = 100
T = TypeVar("T")


def fields(
    body: Mapping[str, Any], required: set[str], optional: frozenset[str] = frozenset()
) -> None:
    unknown = sorted(set(body) - required - optional)
    if unknown:
        raise validation_failed(f"unknown field {unknown[0]}", field=unknown[0])
    missing = sorted(required - set(body))
    if missing:
        raise validation_failed(f"{missing[0]} is required", field=missing[0])


def string(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 256:
        raise validation_failed(f"{key} must be a non-empty string", field=key)
    return value


def participant_code(value: object, key: str = "participant_code") -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise validation_failed(f"{key} is not a participant code", field=key)
    return value


def quantity(value: object, spec: AssetSpec, key: str = "amount") -> Decimal:
    """A positive amount of `spec`, as a decimal string with at most its decimals."""
    if not isinstance(value, str) or not _AMOUNT.match(value):
        raise validation_failed(f"{key} must be a positive decimal string", field=key)
    number = Decimal(value)
    if number <= 0:
        raise validation_failed(f"{key} must be greater than zero", field=key)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > spec.decimals:
        raise validation_failed(
            f"{key} has more than {spec.decimals} decimals for {spec.symbol}", field=key
        )
    return number


def page_params(query: Mapping[str, str]) -> tuple[int, int]:
    return (
        _positive(query.get("page"), "page", 1, 10**6),
        _positive(query.get("limit"), "limit", 50, MAX_LIMIT),
    )


def _positive(raw: str | None, key: str, default: int, high: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise validation_failed(f"{key} must be an integer from 1 to {high}", field=key)
    return int(raw)


def iso_date(raw: str | None, key: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise validation_failed(f"{key} must be an ISO 8601 date", field=key) from None


def choice(raw: str | None, key: str, allowed: frozenset[str]) -> str | None:
    if raw is not None and raw not in allowed:
        raise validation_failed(f"{key} must be one of {sorted(allowed)}", field=key)
    return raw


def page(items: list[T], number: int, limit: int) -> tuple[list[T], dict[str, int]]:
    total_pages = max(1, -(-len(items) // limit))
    start = (number - 1) * limit
    pagination = {
        "page": number,
        "total_pages": total_pages,
        "total_records": len(items),
    }
    return items[start : start + limit], pagination
