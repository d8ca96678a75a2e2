"""The port every provider adapter implements, and the only errors an adapter may raise.

Error tree:

    ProviderError                 anything that went wrong at a provider
    ├── ProviderUnavailable       network error, timeout, 5xx, 429: retryable
    ├── ProviderProtocolError     the provider answered something we cannot read
    ├── ProviderAuthError         the provider refused *our* credentials
    └── ProviderRejected          the provider refused the request for a reason the
                                  caller can act on; carries a contract UserErrorCode
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Protocol, runtime_checkable

import httpx

from gateway.domain.commands import (
    AllocationActionResult,
    CreateAllocation,
    CreateAllocationAction,
    CreateStake,
    CreateStakeAction,
    StakeActionResult,
    Unstake,
)
from gateway.domain.enums import Provider, UserErrorCode
from gateway.domain.errors import UserError
from gateway.domain.models import Allocation, Reward, Stake, StakingProduct


class ProviderError(Exception):
    code = "PROVIDER_ERROR"
    retryable = False

    def __init__(self, provider: Provider, message: str) -> None:
        super().__init__(f"{provider.value}: {message}")
        self.provider = provider
        self.message = message


class ProviderUnavailable(ProviderError):
    code = "UNAVAILABLE"
    retryable = True

    def __init__(
        self,
        provider: Provider,
        message: str,
        *,
        code: str = "UNAVAILABLE",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(provider, message)
        self.code = code
        self.retry_after = retry_after


class ProviderProtocolError(ProviderError):
    code = "BAD_RESPONSE"


class ProviderAuthError(ProviderError):
    code = "AUTH_FAILED"


class ProviderRejected(ProviderError):
    code = "REJECTED"

    def __init__(
        self,
        provider: Provider,
        user_error_code: UserErrorCode,
        message: str,
        *,
        field: tuple[str, ...] | None = None,
        provider_code: str | None = None,
        existing_id: str | None = None,
    ) -> None:
        super().__init__(provider, message)
        self.user_error_code = user_error_code
        self.field = field
        self.provider_code = provider_code
        # For an idempotency conflict: the entity the provider already holds.
        self.existing_id = existing_id

    def as_user_error(self) -> UserError:
        return UserError(
            code=self.user_error_code, message=self.message, field=self.field
        )


@contextmanager
def translate_transport_errors(provider: Provider) -> Iterator[None]:
    """Turn httpx's transport errors into `ProviderUnavailable` at the adapter boundary."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(provider, "timed out", code="TIMEOUT") from exc
    except httpx.TransportError as exc:
        raise ProviderUnavailable(
            provider, f"unreachable ({type(exc).__name__})", code="UNREACHABLE"
        ) from exc


def unavailable_for_status(
    provider: Provider, response: httpx.Response
) -> ProviderError:
    """The error for a response whose status says the provider cannot serve us now."""
    retry_after: float | None = None
    header = response.headers.get("retry-after")
    if header is not None:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
        # nan, inf or a negative wait would stall a retry forever, or make no sense.
        if retry_after is not None and not 0 <= retry_after < float("inf"):
            retry_after = None
    if response.status_code == 429:
        return ProviderUnavailable(
            provider, "rate limited", code="RATE_LIMITED", retry_after=retry_after
        )
    return ProviderUnavailable(
        provider,
        f"HTTP {response.status_code}",
        code="UPSTREAM_ERROR",
        retry_after=retry_after,
    )


# Amounts beyond this are not money any provider holds: a wrong or hostile answer.
MAX_SANE_AMOUNT = Decimal("1e24")


def parse_decimal(provider: Provider, value: object, what: str) -> Decimal:
    """A provider's decimal string as an exact Decimal; anything else is a protocol error."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ProviderProtocolError(provider, f"{what} is not a decimal string")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise ProviderProtocolError(provider, f"{what} is not a decimal") from None
    if not number.is_finite() or abs(number) > MAX_SANE_AMOUNT:
        raise ProviderProtocolError(provider, f"{what} is out of range")
    return number


@runtime_checkable
class StakingAdapter(Protocol):
    """One provider's staking API in the common model's terms.

    `owner` is the provider identity a gateway client is linked to: a Dfns wallet id,
    a Zerohash participant code, a Crocante user name. Lists return everything the owners
    hold (the adapter walks the provider's own pages); the gateway merges and pages.
    """

    provider: Provider
    # True when list_rewards is exactly the rewards that list_stakes' stakes carry (a
    # running total per stake): a request asking for both reads the stakes once.
    rewards_travel_with_stakes: bool

    async def list_products(self) -> Sequence[StakingProduct]: ...

    async def list_stakes(self, owners: Sequence[str]) -> Sequence[Stake]: ...

    async def get_stake(self, owner: str, provider_stake_id: str) -> Stake | None: ...

    async def list_rewards(self, owners: Sequence[str]) -> Sequence[Reward]: ...

    async def create_stake(self, command: CreateStake) -> StakeActionResult: ...

    async def unstake(self, command: Unstake) -> StakeActionResult: ...

    async def create_stake_action(
        self, command: CreateStakeAction
    ) -> StakeActionResult: ...

    async def accept_terms(self, owner: str) -> None: ...

    async def check_eligibility(
        self, owner: str, product: StakingProduct, amount: Decimal
    ) -> Sequence[UserError]: ...

    async def health_check(self) -> None: ...


@runtime_checkable
class AllocationAdapter(Protocol):
    """DeFi yield allocations (Dfns only, today)."""

    provider: Provider

    async def list_allocations(self, owners: Sequence[str]) -> Sequence[Allocation]: ...

    async def get_allocation(
        self, owner: str, provider_allocation_id: str
    ) -> Allocation | None: ...

    async def create_allocation(
        self, command: CreateAllocation
    ) -> AllocationActionResult: ...

    async def create_allocation_action(
        self, command: CreateAllocationAction
    ) -> AllocationActionResult: ...
