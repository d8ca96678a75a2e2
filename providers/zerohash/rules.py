"""Zerohash's refusals in common terms: error codes and the staking prerequisites."""

from collections.abc import Sequence
from decimal import Decimal

from gateway.domain.enums import UserErrorCode
from gateway.domain.errors import UserError
from gateway.domain.models import StakingProduct
from providers.zerohash.models import Balance, ErrorBody, ParticipantInfo

# Staking is prohibited in these US states (PROVIDERS.md 2.2).
PROHIBITED_JURISDICTIONS = frozenset({"CA", "MD", "NJ", "WA", "WI"})

_DIRECT_CODES = {
    "TERMS_NOT_ACCEPTED": UserErrorCode.TERMS_NOT_ACCEPTED,
    "INSUFFICIENT_BALANCE": UserErrorCode.INSUFFICIENT_BALANCE,
    "JURISDICTION_RESTRICTED": UserErrorCode.JURISDICTION_RESTRICTED,
    "BELOW_MINIMUM_STAKE": UserErrorCode.BELOW_MINIMUM_STAKE,
    "NOT_FOUND": UserErrorCode.NOT_FOUND,
}

# A VALIDATION_FAILED body names the failing check (seed 002): the first false one wins.
_CHECKS = (
    ("jurisdiction_allowed", UserErrorCode.JURISDICTION_RESTRICTED),
    ("terms_accepted", UserErrorCode.TERMS_NOT_ACCEPTED),
    ("sufficient_balance", UserErrorCode.INSUFFICIENT_BALANCE),
    ("meets_minimum_asset", UserErrorCode.BELOW_MINIMUM_STAKE),
    ("meets_minimum_usd", UserErrorCode.BELOW_MINIMUM_STAKE),
)

_ON_ITS_WAY = frozenset({"submitted", "broadcasted", "confirmed"})


def user_error_code(error: ErrorBody) -> UserErrorCode:
    direct = _DIRECT_CODES.get(error.error_code)
    if direct is not None:
        return direct
    if error.error_code != "VALIDATION_FAILED":
        return UserErrorCode.PROVIDER_REJECTED
    checks = error.validation_checks
    for name, code in _CHECKS:
        if checks.get(name) is False:
            return code
    restriction = checks.get("platform_restrictions")
    if isinstance(restriction, str) and restriction.lower() != "none":
        return UserErrorCode.FORBIDDEN
    # An unstake refused because the stake is still on its way in (sandbox detail).
    if error.details.get("stake_status") in _ON_ITS_WAY:
        return UserErrorCode.NOT_REDEEMABLE_YET
    return UserErrorCode.INVALID_INPUT


def jurisdiction_allowed(code: str | None) -> bool:
    if not code:
        return True
    return code.upper().rsplit("-", 1)[-1] not in PROHIBITED_JURISDICTIONS


def available_balance(balances: Sequence[Balance], asset: str, label: str) -> Decimal:
    return sum(
        (
            b.balance
            for b in balances
            if b.asset == asset
            and b.account_type == "available"
            and b.account_label in (None, label)
        ),
        Decimal(0),
    )


def eligibility_errors(
    participant: ParticipantInfo,
    balances: Sequence[Balance],
    product: StakingProduct,
    amount: Decimal,
    account_label: str,
) -> list[UserError]:
    """Every prerequisite the participant misses for this stake, none acted upon."""
    errors: list[UserError] = []
    if participant.status != "approved":
        errors.append(
            UserError(
                UserErrorCode.FORBIDDEN,
                "The participant is not approved to transact "
                f"(status {participant.status}).",
            )
        )
    if not jurisdiction_allowed(participant.jurisdiction_code):
        errors.append(
            UserError(
                UserErrorCode.JURISDICTION_RESTRICTED,
                "Staking is not currently available in your location.",
            )
        )
    if not participant.staking_terms_accepted:
        errors.append(
            UserError(
                UserErrorCode.TERMS_NOT_ACCEPTED,
                "Please review and accept the staking terms and conditions.",
            )
        )
    if product.min_amount is not None and amount < product.min_amount:
        errors.append(
            UserError(
                UserErrorCode.BELOW_MINIMUM_STAKE,
                f"The minimum stake for {product.asset.symbol} is "
                f"{product.min_amount}.",
                ("amount",),
            )
        )
    available = available_balance(balances, product.provider_product_id, account_label)
    if available < amount:
        errors.append(
            UserError(
                UserErrorCode.INSUFFICIENT_BALANCE,
                f"Available {product.asset.symbol} balance {available} "
                f"is below {amount}.",
                ("amount",),
            )
        )
    return errors
