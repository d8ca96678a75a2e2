"""Crocante as a `StakingAdapter`: the owner is a Crocante user name.

Crocante answers a stake or a redeem with `{}`, so the adapter reads the positions
back to tell the caller what it got. It has no terms, no validators and no partial
redeem.
"""

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import httpx

from gateway.domain.commands import (
    CreateStake,
    CreateStakeAction,
    StakeActionResult,
    Unstake,
)
from gateway.domain.enums import ActionStatus, Provider, StakeActionKind, UserErrorCode
from gateway.domain.errors import UserError
from gateway.domain.models import Reward, Stake, StakeAction, StakingProduct
from providers.base import ProviderProtocolError, ProviderRejected
from providers.crocante.auth import CrocanteAuth
from providers.crocante.client import CrocanteClient
from providers.crocante.config import CrocanteConfig
from providers.crocante.mapping import (
    position_to_reward,
    position_to_stake,
    product_to_domain,
    redeem_action_id,
)
from providers.crocante.models import CrocantePosition, PositionList

P = Provider.CROCANTE
# With no configured user (sandbox mode), the catalogue is read as this user.
CATALOG_USER = "staking-gateway"
_REDEEM_KINDS = frozenset({StakeActionKind.REDEEM, StakeActionKind.UNSTAKE})


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CrocanteAdapter:
    provider = P
    # A position's yield so far is its one reward.
    rewards_travel_with_stakes = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        config: CrocanteConfig,
        *,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._api = CrocanteClient(client, config)
        self._config = config
        # Crocante's "now" decides redeemability: a sandbox passes its simulated clock.
        self._now = now
        self._sessions: dict[str, CrocanteAuth] = {}
        self._stake_locks: dict[str, asyncio.Lock] = {}

    def _stake(self, position: CrocantePosition, owner: str) -> Stake:
        return position_to_stake(
            position,
            owner,
            self._now(),
            amount_includes_yield=self._config.amount_includes_yield,
        )

    def _session(self, owner: str) -> CrocanteAuth:
        if not owner:
            raise ProviderRejected(
                P, UserErrorCode.INVALID_INPUT, "No Crocante user given"
            )
        if not self._config.login_any_owner and owner != self._config.username:
            raise ProviderRejected(
                P,
                UserErrorCode.FORBIDDEN,
                f"Crocante user {owner!r} is not served here",
            )
        session = self._sessions.get(owner)
        if session is None:
            session = self._sessions[owner] = self._api.auth_for(owner)
        return session

    def _catalog_session(self) -> CrocanteAuth:
        return self._session(self._config.username or CATALOG_USER)

    async def _positions(self, owner: str) -> list[CrocantePosition]:
        session = self._session(owner)
        active, redeemed = await asyncio.gather(
            self._api.list_positions(session, PositionList.ACTIVE),
            self._api.list_positions(session, PositionList.REDEEMED),
        )
        # Redeemed while the lists were read: it is in both, and closed.
        closed = {p.operation.id for p in redeemed}
        return [*(p for p in active if p.operation.id not in closed), *redeemed]

    async def _positions_of(
        self, owners: Sequence[str]
    ) -> list[tuple[str, CrocantePosition]]:
        unique = list(dict.fromkeys(owners))
        lists = await asyncio.gather(*(self._positions(owner) for owner in unique))
        return [(owner, p) for owner, ps in zip(unique, lists, strict=True) for p in ps]

    async def list_products(self) -> Sequence[StakingProduct]:
        types = await self._api.list_types(self._catalog_session())
        return [product_to_domain(t) for t in types]

    async def list_stakes(self, owners: Sequence[str]) -> Sequence[Stake]:
        return [self._stake(p, owner) for owner, p in await self._positions_of(owners)]

    async def get_stake(self, owner: str, provider_stake_id: str) -> Stake | None:
        session = self._session(owner)
        for which in (PositionList.ACTIVE, PositionList.REDEEMED):
            for position in await self._api.list_positions(session, which):
                if position.operation.id == provider_stake_id:
                    return self._stake(position, owner)
        return None

    async def list_rewards(self, owners: Sequence[str]) -> Sequence[Reward]:
        rewards = (
            position_to_reward(p, owner)
            for owner, p in await self._positions_of(owners)
        )
        return [reward for reward in rewards if reward is not None]

    async def create_stake(self, command: CreateStake) -> StakeActionResult:
        product = command.product
        if product.provider is not P:
            raise ProviderRejected(
                P, UserErrorCode.INVALID_INPUT, "Not a Crocante product"
            )
        if command.validator is not None:
            raise ProviderRejected(
                P,
                UserErrorCode.INVALID_INPUT,
                "Crocante takes no validator",
                field=("validator",),
            )
        _check_amount(command.amount)
        session = self._session(command.owner)
        lock = self._stake_locks.setdefault(command.owner, asyncio.Lock())
        # Crocante returns no id: the new position is the one that was not there before.
        async with lock:
            before = await self._api.list_positions(session, PositionList.ACTIVE)
            known = {p.operation.id for p in before}
            await self._api.create_stake(
                session, product.provider_product_id, command.amount
            )
            after = await self._api.list_positions(session, PositionList.ACTIVE)
        created = [
            p
            for p in after
            if p.operation.id not in known
            and p.type_id == product.provider_product_id
            and p.initial_amount == command.amount
        ]
        if not created:
            raise ProviderProtocolError(P, "the stake was accepted but is not listed")
        newest = max(created, key=lambda p: p.operation.opened_at)
        stake = self._stake(newest, command.owner)
        action = dataclasses.replace(stake.actions[0], external_id=command.external_id)
        return StakeActionResult(stake=stake, action=action)

    async def unstake(self, command: Unstake) -> StakeActionResult:
        return await self._redeem(
            command.owner, command.stake, command.amount, command.external_id
        )

    async def create_stake_action(
        self, command: CreateStakeAction
    ) -> StakeActionResult:
        if command.kind not in _REDEEM_KINDS:
            raise ProviderRejected(
                P,
                UserErrorCode.UNSUPPORTED_ACTION,
                f"Crocante stakes can only be redeemed, not {command.kind.value}",
            )
        return await self._redeem(
            command.owner, command.stake, command.amount, command.external_id
        )

    async def _redeem(
        self, owner: str, stake: Stake, amount: Decimal | None, external_id: str | None
    ) -> StakeActionResult:
        if amount is not None and amount not in (stake.amount, stake.current_amount):
            raise ProviderRejected(
                P,
                UserErrorCode.UNSUPPORTED_ACTION,
                "Crocante redeems a whole position only",
                field=("amount",),
            )
        op_id = stake.provider_stake_id
        await self._api.redeem(self._session(owner), op_id)
        after = await self.get_stake(owner, op_id)
        if after is None:
            raise ProviderProtocolError(
                P, f"redeemed stake {op_id} is no longer listed"
            )
        redeemed = [
            a for a in after.actions if a.provider_action_id == redeem_action_id(op_id)
        ]
        # Crocante redeems at once; a position still open is one it has yet to close.
        action = (
            redeemed[0]
            if redeemed
            else StakeAction(
                provider=P,
                provider_action_id=redeem_action_id(op_id),
                owner=owner,
                kind=StakeActionKind.REDEEM,
                status=ActionStatus.IN_PROGRESS,
                provider_status=after.provider_status,
                created_at=self._now(),
                provider_stake_id=op_id,
                amount=after.amount,
            )
        )
        return StakeActionResult(
            stake=after, action=dataclasses.replace(action, external_id=external_id)
        )

    async def accept_terms(self, owner: str) -> None:
        raise ProviderRejected(
            P,
            UserErrorCode.UNSUPPORTED_ACTION,
            "Crocante has no staking terms to accept",
        )

    async def check_eligibility(
        self, owner: str, product: StakingProduct, amount: Decimal
    ) -> Sequence[UserError]:
        self._session(owner)
        types = {t.id: t for t in await self._api.list_types(self._catalog_session())}
        current = types.get(product.provider_product_id)
        if current is None:
            return [
                UserError(UserErrorCode.NOT_FOUND, "This Crocante product is not open")
            ]
        if not amount.is_finite() or amount <= 0:
            return [
                UserError(
                    UserErrorCode.INVALID_INPUT, "Amount must be positive", ("amount",)
                )
            ]
        if amount < current.min_amount:
            message = f"The minimum is {current.min_amount} {current.currency_id}"
            return [UserError(UserErrorCode.BELOW_MINIMUM_STAKE, message, ("amount",))]
        # No balance endpoint is documented: Crocante checks the balance at stake time.
        return []

    async def health_check(self) -> None:
        await self._api.list_types(self._catalog_session())


def _check_amount(amount: Decimal) -> None:
    if not amount.is_finite() or amount <= 0:
        raise ProviderRejected(
            P, UserErrorCode.INVALID_INPUT, "Amount must be positive", field=("amount",)
        )
