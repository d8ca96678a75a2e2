"""Checks made before any provider is called: a refused input costs no upstream request."""

from decimal import Decimal

from gateway.domain.assets import decimals_of
from gateway.domain.caller import Caller
from gateway.domain.enums import Provider, UserErrorCode
from gateway.domain.errors import UserFacingError, invalid_input
from gateway.domain.models import StakingProduct

MAX_EXTERNAL_ID_LENGTH = 128


def positive_amount(
    amount: Decimal, *field: str, decimals: int | None = None
) -> Decimal:
    if not amount.is_finite():
        raise invalid_input("The amount must be a finite decimal number.", *field)
    if amount <= 0:
        raise invalid_input("The amount must be greater than zero.", *field)
    exponent = amount.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if decimals is not None and places > decimals:
        raise invalid_input(
            f"The amount has {places} decimal places; this asset allows {decimals}.",
            *field,
        )
    return amount


def stake_amount(product: StakingProduct, amount: Decimal) -> Decimal:
    decimals = decimals_of(product.asset.symbol, product.asset.decimals)
    positive_amount(amount, "input", "amount", decimals=decimals)
    if product.min_amount is not None and amount < product.min_amount:
        raise UserFacingError(
            UserErrorCode.BELOW_MINIMUM_STAKE,
            f"The minimum stake for this product is {format(product.min_amount, 'f')} "
            f"{product.asset.symbol}.",
            ("input", "amount"),
        )
    return amount


def open_product(product: StakingProduct) -> StakingProduct:
    if not product.is_open:
        raise UserFacingError(
            UserErrorCode.UNSUPPORTED_ACTION,
            product.closed_reason or "This staking product is not open for new stakes.",
            ("input", "productId"),
        )
    return product


def external_id(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip() or len(value) > MAX_EXTERNAL_ID_LENGTH:
        raise invalid_input(
            f"externalId must be 1 to {MAX_EXTERNAL_ID_LENGTH} characters.",
            "input",
            "externalId",
        )
    return value


def owner_for(caller: Caller, provider: Provider, wanted: str | None) -> str:
    """The caller's identity at `provider`: the one asked for, or its only/first one."""
    owners = caller.owners(provider)
    if not owners:
        raise UserFacingError(
            UserErrorCode.FORBIDDEN,
            f"This API client is not linked to any {provider.value.title()} identity.",
        )
    if wanted is None:
        return owners[0]
    if wanted not in owners:
        raise UserFacingError(
            UserErrorCode.FORBIDDEN,
            "This API client is not linked to that wallet or account.",
            ("input", "walletId"),
        )
    return wanted
