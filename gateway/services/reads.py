"""The read side: the caller's stakes, rewards, allocations and portfolio across providers."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider, StakeStatus
from gateway.domain.models import (
    Allocation,
    Asset,
    ProviderFailure,
    Reward,
    Stake,
    StakingProduct,
)
from gateway.services.fanout import Gathered, gather_from
from gateway.services.provider_set import ProviderSet

STAKED = {StakeStatus.PENDING, StakeStatus.ACTIVE}
UNBONDING = {StakeStatus.UNBONDING, StakeStatus.WITHDRAWABLE, StakeStatus.WITHDRAWING}


@dataclass(frozen=True, slots=True)
class PortfolioTotal:
    provider: Provider
    asset: Asset
    staked: Decimal
    unbonding: Decimal
    rewards: Decimal


@dataclass(frozen=True, slots=True)
class Portfolio:
    totals: list[PortfolioTotal]
    stake_count: int
    average_apy: Decimal | None
    provider_failures: list[ProviderFailure]


class StakingReader:
    def __init__(self, providers: ProviderSet) -> None:
        self.providers = providers

    def linked(
        self, caller: Caller, only: Sequence[Provider] | None = None
    ) -> list[Provider]:
        """The caller's providers, or those of them in `only`."""
        wanted = set(only) if only else set(Provider)
        return [p for p in caller.providers if p in wanted]

    async def products(
        self, provider: Provider | None = None, asset: str | None = None
    ) -> Gathered[StakingProduct]:
        chosen = [provider] if provider else list(self.providers.adapters)
        gathered = await gather_from(chosen, self.providers.products)
        if asset:
            gathered.items = [
                p for p in gathered.items if p.asset.symbol.upper() == asset.upper()
            ]
        return gathered

    async def stakes(
        self, caller: Caller, only: Sequence[Provider] | None = None
    ) -> Gathered[Stake]:
        async def fetch(provider: Provider) -> Sequence[Stake]:
            owners = caller.owners(provider)
            adapter = self.providers.adapter(provider)
            return await self.providers.read(
                provider, ("stakes", owners), lambda: adapter.list_stakes(owners)
            )

        return await gather_from(self.linked(caller, only), fetch)

    async def stake(
        self, caller: Caller, provider: Provider, owner: str, stake_id: str
    ) -> Stake | None:
        if not caller.owns(provider, owner):
            return None
        adapter = self.providers.adapter(provider)
        return await self.providers.read(
            provider,
            ("stake", owner, stake_id),
            lambda: adapter.get_stake(owner, stake_id),
        )

    async def rewards(
        self, caller: Caller, only: Sequence[Provider] | None = None
    ) -> Gathered[Reward]:
        async def fetch(provider: Provider) -> Sequence[Reward]:
            owners = caller.owners(provider)
            adapter = self.providers.adapter(provider)
            return await self.providers.read(
                provider, ("rewards", owners), lambda: adapter.list_rewards(owners)
            )

        return await gather_from(self.linked(caller, only), fetch)

    async def allocations(self, caller: Caller) -> Gathered[Allocation]:
        async def fetch(provider: Provider) -> Sequence[Allocation]:
            owners = caller.owners(provider)
            adapter = self.providers.allocation_adapter(provider)
            return await self.providers.read(
                provider,
                ("allocations", owners),
                lambda: adapter.list_allocations(owners),
            )

        linked = [
            p for p in caller.providers if p in self.providers.allocation_adapters
        ]
        return await gather_from(linked, fetch)

    async def allocation(
        self, caller: Caller, provider: Provider, owner: str, allocation_id: str
    ) -> Allocation | None:
        if not caller.owns(provider, owner):
            return None
        adapter = self.providers.allocation_adapter(provider)
        return await self.providers.read(
            provider,
            ("allocation", owner, allocation_id),
            lambda: adapter.get_allocation(owner, allocation_id),
        )


def summarize(
    stakes: Sequence[Stake],
    rewards: Sequence[Reward],
    *failures: Sequence[ProviderFailure],
) -> Portfolio:
    totals: dict[tuple[Provider, str], dict[str, Decimal]] = defaultdict(
        lambda: {"staked": Decimal(0), "unbonding": Decimal(0), "rewards": Decimal(0)}
    )
    assets: dict[tuple[Provider, str], Asset] = {}
    weighted = Decimal(0)
    weight = Decimal(0)
    for stake in stakes:
        key = (stake.provider, stake.asset.symbol)
        assets.setdefault(key, stake.asset)
        if stake.status in STAKED:
            totals[key]["staked"] += stake.amount
            if stake.apy is not None and stake.status is StakeStatus.ACTIVE:
                weighted += stake.apy * stake.amount
                weight += stake.amount
        elif stake.status in UNBONDING:
            totals[key]["unbonding"] += stake.amount
    for reward in rewards:
        key = (reward.provider, reward.asset.symbol)
        assets.setdefault(key, reward.asset)
        totals[key]["rewards"] += reward.amount
    seen: set[tuple[Provider, str]] = set()
    unique_failures = []
    for failure in (f for group in failures for f in group):
        if (failure.provider, failure.code) not in seen:
            seen.add((failure.provider, failure.code))
            unique_failures.append(failure)
    return Portfolio(
        totals=[
            PortfolioTotal(provider=key[0], asset=assets[key], **values)
            for key, values in sorted(
                totals.items(), key=lambda kv: (kv[0][0].value, kv[0][1])
            )
        ],
        stake_count=len(stakes),
        average_apy=(weighted / weight) if weight else None,
        provider_failures=unique_failures,
    )
