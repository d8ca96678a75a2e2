"""Exact conversion between a chain's minimum unit (wei, satoshi…) and whole units.

Dfns speaks minimum units as digit strings; the common model speaks whole units.
Both directions are integer arithmetic on the digits: no float, no context rounding.
"""

from decimal import Decimal

from gateway.domain.enums import Provider, UserErrorCode
from providers.base import MAX_SANE_AMOUNT, ProviderProtocolError, ProviderRejected

# 1e24 whole units at 18 decimals has 43 digits; longer strings are garbage (and slow).
_MAX_DIGITS = 48


class TooPrecise(ValueError):
    """The amount has more decimals than the asset can hold."""


def to_min_units(amount: Decimal, decimals: int) -> int:
    """`amount` whole units as an integer of minimum units; raises TooPrecise."""
    if not amount.is_finite():
        raise TooPrecise("amount is not a finite number")
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    value = int("".join(map(str, digits)) or "0")
    shift = exponent + decimals
    if value == 0:
        return 0
    if abs(shift) > _MAX_DIGITS:
        # Astronomic either way; refuse before building a huge power of ten.
        raise TooPrecise("amount is out of range")
    result: int
    if shift >= 0:
        result = value * 10**shift
    else:
        result, remainder = divmod(value, 10**-shift)
        if remainder:
            raise TooPrecise(f"more than {decimals} decimal places")
    return -result if sign else result


def from_min_units(value: int, decimals: int) -> Decimal:
    """Minimum units as an exact whole-unit Decimal without trailing zeros."""
    negative = value < 0
    whole, fraction = divmod(abs(value), 10**decimals)
    text = str(whole)
    if decimals and fraction:
        text += "." + str(fraction).rjust(decimals, "0").rstrip("0")
    return Decimal("-" + text if negative else text)


def whole_amount(raw: str, decimals: int, what: str) -> Decimal:
    """A provider's minimum-unit string as whole units; nonsense is a protocol error."""
    if not raw.isascii() or not raw.isdigit():
        raise ProviderProtocolError(
            Provider.DFNS, f"{what} is not a minimum-unit integer"
        )
    if len(raw) > _MAX_DIGITS:
        raise ProviderProtocolError(Provider.DFNS, f"{what} is out of range")
    amount = from_min_units(int(raw), decimals)
    if amount > MAX_SANE_AMOUNT:
        raise ProviderProtocolError(Provider.DFNS, f"{what} is out of range")
    return amount


def min_units_for_request(
    amount: Decimal, decimals: int, symbol: str, field: str
) -> str:
    """A caller's positive whole-unit amount as the digit string Dfns expects."""

    def refuse(message: str) -> ProviderRejected:
        return ProviderRejected(
            Provider.DFNS, UserErrorCode.INVALID_INPUT, message, field=(field,)
        )

    if not amount.is_finite() or amount <= 0:
        raise refuse("amount must be a positive number")
    if amount > MAX_SANE_AMOUNT:
        raise refuse("amount is too large")
    try:
        return str(to_min_units(amount, decimals))
    except TooPrecise:
        raise refuse(
            f"{symbol} amounts have at most {decimals} decimal places"
        ) from None
