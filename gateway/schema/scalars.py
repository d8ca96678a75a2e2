"""`Decimal` as an exact string and `DateTime` as UTC ISO 8601, as the contract says."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import strawberry
from strawberry.types.scalar import ScalarDefinition

MAX_DECIMAL_LENGTH = 64


def serialize_decimal(value: Decimal) -> str:
    # format(…, "f") never uses exponent notation: "1E+3" would read as a float to many.
    return format(value, "f")


def parse_decimal(value: object) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('Decimal values are sent as strings, e.g. "10.5".')
    if len(value) > MAX_DECIMAL_LENGTH:
        raise ValueError("Decimal value is too long.")
    text = value.strip()
    if not text or any(c not in "0123456789.-+" for c in text):
        raise ValueError(f"{value!r} is not a decimal number.")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number.") from None
    if not number.is_finite():
        raise ValueError("Decimal value must be finite.")
    return number


def serialize_datetime(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime values are ISO 8601 strings.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time.") from None
    if parsed.tzinfo is None:
        raise ValueError("DateTime values must carry a time zone (use Z for UTC).")
    return parsed.astimezone(UTC)


DECIMAL = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number sent as a string, e.g. "10.5". Never a float.',
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

DATETIME = strawberry.scalar(
    name="DateTime",
    description='A UTC instant in ISO 8601, e.g. "2025-08-24T16:00:00Z".',
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {Decimal: DECIMAL, datetime: DATETIME}
