"""Dfns as a `StakingAdapter` and `AllocationAdapter`: an owner is a Dfns wallet id.

Dfns lists the whole organisation, so lists are walked in full and filtered by wallet.
"""

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from gateway.domain.commands import (
    CreateStake,
    CreateStakeAction,
    StakeActionResult,
    Unstake,
)
from gateway.domain.enums import Provider, StakeActionKind, UserErrorCode
from gateway.domain.errors import UserError
from gateway.domain.models import Reward, Stake, StakingProduct
from providers.base import ProviderRejected
from providers.dfns.actions_cache import ActionsCache
from providers.dfns.allocation_adapter import AllocationOperations
from providers.dfns.bodies import (
    WALLET_ID,
    check_writable,
    create_stake_body,
    rejected,
    stake_action_body,
    stake_amount,
)
from providers.dfns.catalog import (
    StakingProtocol,
    protocol_for_product,
    staking_products,
)
from providers.dfns.client import DfnsClient
from providers.dfns.config import DfnsConfig
from providers.dfns.mapping import protocol_of, to_reward, to_stake, to_stake_action
from providers.dfns.models import DfnsRewards, DfnsStake
from providers.dfns.replay import (
    STAKE_ID,
    is_conflict,
    not_found,
    pick_action,
    replayed_action,
    same_request,
)
from providers.dfns.rewards_cache import RewardsCache
from providers.dfns.units import whole_amount

# Statuses in which a stake has earned nothing yet: no rewards call.
_NO_REWARDS = frozenset({"Creating", "Staking", "Failed"})
_TWO_STEP = frozenset({"Xdc", "Babylon"})


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DfnsAdapter(AllocationOperations):
    provider = Provider.DFNS
    # Listing stakes reads each one's running rewards total (list_stakes, above).
    rewards_travel_with_stakes = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        config: DfnsConfig,
        *,
        now: Callable[[], datetime] = _utcnow,
        rewards_concurrency: int = 8,
        rewards_ttl_seconds: float = 0.0,
        actions_ttl_seconds: float = 0.0,
    ) -> None:
        self._client = DfnsClient(client, config)
        self._now = now
        # Per-stake reads (rewards, actions) in flight at once.
        self._rewards_slots = asyncio.Semaphore(rewards_concurrency)
        self.rewards_cache = RewardsCache(rewards_ttl_seconds)
        self.actions_cache = ActionsCache(actions_ttl_seconds)

    async def list_products(self) -> Sequence[StakingProduct]:
        return staking_products()

    async def _owned_stakes(self, owners: Sequence[str]) -> list[DfnsStake]:
        wanted = set(owners)
        if not wanted:
            return []
        stakes = await self._client.list_stakes(wanted)
        return [s for s in stakes if s.wallet_id in wanted]

    async def _rewards(
        self, stake: DfnsStake
    ) -> tuple[datetime, DfnsRewards | None] | None:
        """The stake's running total and when it was read (no total: Dfns answered
        that it has none yet); None when there was nothing to ask."""
        if stake.status in _NO_REWARDS:
            return None
        known = self.rewards_cache.get(stake.id, self._now())
        if known is not None:
            return known
        async with self._rewards_slots:
            try:
                rewards = await self._client.get_stake_rewards(stake.id)
            except ProviderRejected as exc:
                if exc.user_error_code is UserErrorCode.NOT_FOUND:
                    return None
                raise
        read_at = self._now()
        self.rewards_cache.put(stake.id, read_at, rewards)
        return read_at, rewards

    async def _with_actions(self, stake: DfnsStake) -> DfnsStake:
        """The stake with its actions, from the actions endpoint where the object
        carries none (list items)."""
        if stake.actions is not None:
            return stake
        read_at = self._now()
        actions = self.actions_cache.get(stake.id, stake.status, read_at)
        if actions is None:
            async with self._rewards_slots:
                try:
                    actions = tuple(await self._client.list_stake_actions(stake.id))
                except ProviderRejected as exc:
                    if exc.user_error_code is not UserErrorCode.NOT_FOUND:
                        raise
                    actions = ()
            self.actions_cache.put(stake.id, stake.status, read_at, actions)
        return replace(stake, actions=actions)

    async def _in_full(self, listed: Sequence[DfnsStake]) -> list[Stake]:
        """Stakes with their actions and rewards, each read per stake at once."""
        stakes, rewards = await asyncio.gather(
            asyncio.gather(*(self._with_actions(s) for s in listed)),
            asyncio.gather(*(self._rewards(s) for s in listed)),
        )
        as_of = self._now()
        staked: list[Stake] = []
        for stake, read in zip(stakes, rewards, strict=True):
            if read is None:
                staked.append(replace(to_stake(stake, as_of, None), rewards=()))
                continue
            read_at, reward = read
            if reward is None:  # earning, but nothing reported yet
                staked.append(replace(to_stake(stake, as_of, Decimal(0)), rewards=()))
                continue
            running = to_reward(stake, reward, read_at)
            # The running total read here is all Dfns knows of this stake's rewards.
            shown = (running,) if running.amount > 0 else ()
            staked.append(
                replace(to_stake(stake, as_of, running.amount), rewards=shown)
            )
        return staked

    async def list_stakes(self, owners: Sequence[str]) -> Sequence[Stake]:
        return await self._in_full(await self._owned_stakes(owners))

    async def _find_stake(self, owner: str, stake_id: str) -> DfnsStake | None:
        if not STAKE_ID.match(stake_id):
            return None
        try:
            stake = await self._client.get_stake(stake_id)
        except ProviderRejected as exc:
            if exc.user_error_code is UserErrorCode.NOT_FOUND:
                return None
            raise
        return stake if stake.wallet_id == owner else None

    async def _owned_stake(self, owner: str, stake_id: str) -> DfnsStake:
        stake = await self._find_stake(owner, stake_id)
        if stake is None:
            raise not_found(f"stake {stake_id}")
        return await self._with_actions(stake)

    async def get_stake(self, owner: str, provider_stake_id: str) -> Stake | None:
        stake = await self._find_stake(owner, provider_stake_id)
        return None if stake is None else (await self._in_full([stake]))[0]

    async def list_rewards(self, owners: Sequence[str]) -> Sequence[Reward]:
        # Exactly what the stakes carry: rewards_travel_with_stakes holds by definition.
        return [r for s in await self.list_stakes(owners) for r in s.rewards or ()]

    async def _result(
        self,
        stake: DfnsStake,
        kind: str,
        external_id: str | None,
        before: frozenset[str] | None = None,
    ) -> StakeActionResult:
        """The stake a write answered with and the action it made. `before`: the ids
        of the actions the stake had, when the answer was not the stake (a 202) and it
        was read back: an action not among them is ours, and none may be there yet."""
        stake = await self._with_actions(stake)
        if before is not None:
            new = [a for a in stake.actions or () if a.id not in before]
            if not any(a.kind == kind for a in new):
                return StakeActionResult(
                    stake=to_stake(stake, self._now()), action=None
                )
        else:
            new = list(stake.actions or ())
        action = pick_action(new, kind, external_id)
        return StakeActionResult(
            stake=to_stake(stake, self._now()),
            action=to_stake_action(action, stake.wallet_id, protocol_of(stake)),
        )

    async def _held_stake(self, body: Mapping[str, Any]) -> DfnsStake | None:
        """After a 202 that was not the stake: the stake our request made, found by
        its externalId (without one it cannot be told from an identical older one)."""
        if "externalId" not in body:
            return None
        for listed in await self._owned_stakes([body["walletId"]]):
            if same_request(body, listed.request_body):
                return await self._client.get_stake(listed.id)
        return None

    async def create_stake(self, command: CreateStake) -> StakeActionResult:
        protocol = None
        if command.product.provider is Provider.DFNS:
            protocol = protocol_for_product(command.product.provider_product_id)
        if protocol is None:
            raise rejected("not a Dfns staking product", "product")
        body = create_stake_body(
            protocol,
            command.owner,
            command.amount,
            command.validator,
            command.external_id,
        )
        try:
            stake = await self._client.create_stake(body)
        except ProviderRejected as exc:
            if not is_conflict(exc) or exc.existing_id is None:
                raise
            # Dfns answers 409 when an externalId is reused; ours if the body is ours.
            stake = await self._client.get_stake(exc.existing_id)
            if not same_request(body, stake.request_body):
                raise exc from None
        if stake is None:  # held for policy approval: nothing to show until it exists
            stake = await self._held_stake(body)
            if stake is None:
                return StakeActionResult(stake=None, action=None)
            return await self._result(stake, "Stake", command.external_id, frozenset())
        return await self._result(stake, "Stake", command.external_id)

    async def _act(
        self,
        stake: DfnsStake,
        kind: str,
        amount: Decimal | None,
        external_id: str | None,
    ) -> StakeActionResult:
        # Whatever the action does to the stake, it is read afresh after it.
        self.rewards_cache.forget(stake.id)
        self.actions_cache.forget(stake.id)
        body = stake_action_body(protocol_of(stake), kind, amount, external_id)
        try:
            updated = await self._client.create_stake_action(stake.id, body)
        except ProviderRejected as exc:
            if not is_conflict(exc):
                raise
            updated = await self._with_actions(await self._client.get_stake(stake.id))
            replayed_action(updated.actions, exc, body)
        if updated is None:  # held for policy approval (a 202): read it back
            before = frozenset(a.id for a in stake.actions or ())
            updated = await self._client.get_stake(stake.id)
            return await self._result(updated, kind, external_id, before)
        return await self._result(updated, kind, external_id)

    @staticmethod
    def _staked(stake: DfnsStake, protocol: StakingProtocol) -> Decimal:
        raw = stake.data_amount or stake.amount
        if raw is None:
            raise rejected(f"stake {stake.id} has no known amount")
        return whole_amount(raw, protocol.decimals, "staked amount")

    def _whole_only(
        self, stake: DfnsStake, protocol: StakingProtocol, amount: Decimal | None
    ) -> None:
        if amount is not None and amount != self._staked(stake, protocol):
            raise rejected(
                f"{protocol.name} stakes are unstaked whole; omit the amount", "amount"
            )

    async def unstake(self, command: Unstake) -> StakeActionResult:
        stake = await self._owned_stake(command.owner, command.stake.provider_stake_id)
        protocol = protocol_of(stake)
        check_writable(protocol)
        if protocol.name == "Iota":
            amount = (
                self._staked(stake, protocol)
                if command.amount is None
                else command.amount
            )
            return await self._act(stake, "Withdraw", amount, command.external_id)
        self._whole_only(stake, protocol, command.amount)
        kind = "Withdraw"
        if protocol.name in _TWO_STEP and stake.status != "Unbond":
            kind = "Unbond"
        return await self._act(stake, kind, None, command.external_id)

    async def create_stake_action(
        self, command: CreateStakeAction
    ) -> StakeActionResult:
        if command.kind is StakeActionKind.UNSTAKE:
            return await self.unstake(
                Unstake(
                    command.owner, command.stake, command.amount, command.external_id
                )
            )
        if command.kind not in (StakeActionKind.WITHDRAW, StakeActionKind.DEPOSIT):
            raise rejected(
                f"Dfns stakes take no {command.kind.value} action",
                "kind",
                code=UserErrorCode.UNSUPPORTED_ACTION,
            )
        stake = await self._owned_stake(command.owner, command.stake.provider_stake_id)
        protocol = protocol_of(stake)
        check_writable(protocol)
        if command.kind is StakeActionKind.DEPOSIT:
            if protocol.name != "Iota":
                raise rejected(
                    f"{protocol.name} stakes take no deposit",
                    "kind",
                    code=UserErrorCode.UNSUPPORTED_ACTION,
                )
            if command.amount is None:
                raise rejected("a deposit needs an amount", "amount")
            return await self._act(
                stake, "Deposit", command.amount, command.external_id
            )
        if protocol.name == "Iota":
            amount = (
                self._staked(stake, protocol)
                if command.amount is None
                else command.amount
            )
            return await self._act(stake, "Withdraw", amount, command.external_id)
        self._whole_only(stake, protocol, command.amount)
        return await self._act(stake, "Withdraw", None, command.external_id)

    async def accept_terms(self, owner: str) -> None:
        raise rejected(
            "Dfns has no staking terms to accept", code=UserErrorCode.UNSUPPORTED_ACTION
        )

    async def check_eligibility(
        self, owner: str, product: StakingProduct, amount: Decimal
    ) -> Sequence[UserError]:
        errors: list[UserError] = []
        if not WALLET_ID.match(owner):
            errors.append(
                rejected(f"{owner!r} is not a Dfns wallet id", "owner").as_user_error()
            )
        protocol = None
        if product.provider is Provider.DFNS:
            protocol = protocol_for_product(product.provider_product_id)
        if protocol is None:
            errors.append(
                rejected("not a Dfns staking product", "product").as_user_error()
            )
            return errors
        try:
            check_writable(protocol)
            stake_amount(protocol, amount)
        except ProviderRejected as exc:
            errors.append(exc.as_user_error())
        return errors

    async def health_check(self) -> None:
        await self._client.first_stakes_page()
