"""`previewStake`: what a stake would do, and whether it may, without acting."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider
from gateway.domain.errors import UserError, UserFacingError, not_found
from gateway.domain.models import StakingProduct
from gateway.services import validation
from gateway.services.commands import provider_error_as_user_error
from gateway.services.provider_set import ProviderSet
from providers.base import ProviderError


@dataclass(frozen=True, slots=True)
class Preview:
    product: StakingProduct
    amount: Decimal
    errors: tuple[UserError, ...]
    estimated_monthly_reward: Decimal | None
    estimated_activation_at: datetime | None

    @property
    def eligible(self) -> bool:
        return not self.errors


class PreviewService:
    def __init__(self, providers: ProviderSet) -> None:
        self.providers = providers

    async def preview(
        self,
        caller: Caller,
        provider: Provider,
        product_id: str,
        amount: Decimal,
        wallet_id: str | None,
    ) -> Preview:
        product = await self.providers.find_product(provider, product_id)
        if product is None:
            raise not_found("There is no such staking product.", "input", "productId")
        errors: list[UserError] = []
        try:
            validation.open_product(product)
            validation.stake_amount(product, amount)
            owner = validation.owner_for(caller, provider, wallet_id)
        except UserFacingError as error:
            errors.append(error.error)
            owner = None
        if owner is not None:
            adapter = self.providers.adapter(provider)
            try:
                errors.extend(
                    await self.providers.read(
                        provider,
                        ("eligibility", owner, product_id, str(amount)),
                        lambda: adapter.check_eligibility(owner, product, amount),
                    )
                )
            except ProviderError as error:
                errors.append(provider_error_as_user_error(error))
        monthly = (
            (amount * product.apy / 12).quantize(Decimal("1e-12"))
            if product.apy
            else None
        )
        activation = (
            datetime.now(UTC) + timedelta(seconds=product.activation_seconds)
            if product.activation_seconds is not None
            else None
        )
        return Preview(product, amount, tuple(errors), monthly, activation)
