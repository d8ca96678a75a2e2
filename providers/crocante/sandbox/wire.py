"""The sandbox's state as Crocante writes it: camelCase, decimal strings, `Z` times,
and the backend's upper-case statuses (`ACTIVE`, `REDEEMED`)."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from providers.crocante.sandbox.state import Position, Product


def decimal_text(value: Decimal) -> str:
    """Plain notation, no trailing zeros: "0.5", never "5E-1" or "0.500"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def time_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def product_json(product: Product) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": product.id,
        "currencyId": product.currency_id,
        "mode": product.mode,
        "apy": decimal_text(product.apy),
        "minAmount": decimal_text(product.min_amount),
    }
    if product.duration_days is not None:
        body["durationDays"] = product.duration_days
    return body


def position_json(
    position: Position, now: datetime, *, amount_includes_yield: bool = False
) -> dict[str, Any]:
    """`amount_includes_yield`: `amount` as the frontend's mock data has it (principal
    plus yield), not as the seed does (the principal, beside `yield`)."""
    user_id = position.user.user_id
    opened = time_text(position.opened_at)
    earned = position.yield_at(now)
    amount = position.amount + earned if amount_includes_yield else position.amount
    return {
        "typeId": position.product.id,
        "startsAt": opened,
        "redeemableAt": time_text(position.redeemable_at),
        "initialAmount": decimal_text(position.amount),
        "initialAPY": decimal_text(position.apy),
        "operation": {
            "id": position.op_id,
            "creatorId": user_id,
            "ownerId": user_id,
            "openedAt": opened,
            "updatedAt": time_text(position.accrued_until(now)),
            "closedAt": time_text(position.closed_at),
            "status": "ACTIVE" if position.closed_at is None else position.closed_word,
            "type": "STAKING",
            "fullType": "STAKING",
        },
        "type": product_json(position.product),
        "amount": decimal_text(amount),
        "yield": decimal_text(earned),
        "estRedeemYield": decimal_text(position.est_redeem_yield(now)),
        "apy": decimal_text(position.product.apy),
    }
