"""Per-request loaders: every nested field that reaches a provider or the store is batched.

A page of stakes asks for products, rewards and histories one field at a time; each loader
turns those into one call per provider (or one query), whatever the page size.
"""

import asyncio
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider
from gateway.domain.history import StatusEvent
from gateway.domain.history_reader import HistoryReader
from gateway.domain.models import ProviderFailure, Reward, Stake, StakingProduct
from gateway.services.fanout import Gathered
from gateway.services.reads import StakingReader
from providers.base import ProviderError

K = TypeVar("K")
V = TypeVar("V")
ProductKey = tuple[Provider, str]
StakeKey = tuple[Provider, str, str]  # provider, owner, provider stake id
HistoryKey = tuple[Provider, str]


@dataclass
class StakeRewards:
    items: list[Reward] = field(default_factory=list)
    failures: list[ProviderFailure] = field(default_factory=list)


LOADERS = ("product", "stake", "stake_rewards", "history")


@dataclass
class LoaderStats:
    """How many batches each loader ran and how many keys they carried (/metrics)."""

    batches: Counter[str] = field(default_factory=Counter)
    keys: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        # Every loader from zero, so that /metrics shows it before its first batch.
        for name in LOADERS:
            self.batches[name] += 0
            self.keys[name] += 0

    def counted(
        self, name: str, load: Callable[[Sequence[K]], Awaitable[list[V]]]
    ) -> Callable[[Sequence[K]], Awaitable[list[V]]]:
        async def counting(keys: Sequence[K]) -> list[V]:
            self.batches[name] += 1
            self.keys[name] += len(keys)
            return await load(keys)

        return counting


class Loaders:
    def __init__(
        self,
        caller: Caller | None,
        reader: StakingReader,
        history: HistoryReader,
        stats: LoaderStats | None = None,
    ):
        self.caller = caller
        self.reader = reader
        self.history_store = history
        self.stats = stats or LoaderStats()
        self._stake_lists: dict[Provider, asyncio.Future[Gathered[Stake]]] = {}

    # Built on first use: a pushed subscription event gets fresh loaders, and most
    # selections need none of them.
    @cached_property
    def product(self) -> "DataLoader[ProductKey, StakingProduct | None]":
        return DataLoader(self.stats.counted("product", self._load_products))

    @cached_property
    def stake(self) -> "DataLoader[StakeKey, Stake | None]":
        return DataLoader(self.stats.counted("stake", self._load_stakes))

    @cached_property
    def stake_rewards(self) -> "DataLoader[StakeKey, StakeRewards]":
        return DataLoader(self.stats.counted("stake_rewards", self._load_stake_rewards))

    @cached_property
    def history(self) -> "DataLoader[HistoryKey, list[StatusEvent]]":
        return DataLoader(self.stats.counted("history", self._load_history))

    async def stakes_of(self, only: Sequence[Provider] | None) -> Gathered[Stake]:
        """The caller's stakes at these providers, each provider's read once a request."""
        assert self.caller is not None
        lists = await asyncio.gather(
            *(
                asyncio.shield(self._stakes_at(p))
                for p in self.reader.linked(self.caller, only)
            )
        )
        return _merged(lists)

    def _stakes_at(self, provider: Provider) -> "asyncio.Future[Gathered[Stake]]":
        # Fields resolved side by side (stakes, rewards, a nested stake) share one read,
        # in flight or done.
        assert self.caller is not None
        listed = self._stake_lists.get(provider)
        if listed is None:
            listed = asyncio.ensure_future(self.reader.stakes(self.caller, [provider]))
            self._stake_lists[provider] = listed
        return listed

    async def rewards_of(self, only: Sequence[Provider] | None) -> Gathered[Reward]:
        """The caller's rewards; where they travel with stakes, from the shared read."""
        assert self.caller is not None
        linked = self.reader.linked(self.caller, only)
        adapters = self.reader.providers.adapters
        carried = [
            p
            for p in linked
            if p in adapters and adapters[p].rewards_travel_with_stakes
        ]
        separate = [p for p in linked if p not in carried]
        # Side by side: a provider whose rewards are their own list need not wait for
        # another's stakes.
        stakes, listed = await asyncio.gather(
            self.stakes_of(carried) if carried else _nothing(),
            self.reader.rewards(self.caller, separate) if separate else _nothing(),
        )
        carried_rewards: Gathered[Reward] = Gathered(
            [r for s in stakes.items for r in s.rewards or ()], stakes.failures
        )
        return _merged([carried_rewards, listed])

    async def _load_products(
        self, keys: Sequence[ProductKey]
    ) -> list[StakingProduct | None]:
        found: dict[ProductKey, StakingProduct] = {}
        for provider in {p for p, _ in keys}:
            try:
                products = await self.reader.providers.products(provider)
            except ProviderError:
                continue
            found.update({(provider, p.provider_product_id): p for p in products})
        return [found.get(key) for key in keys]

    async def _load_stakes(self, keys: Sequence[StakeKey]) -> list[Stake | None]:
        if self.caller is None:
            return [None] * len(keys)
        providers = sorted({p for p, _, _ in keys}, key=lambda p: p.value)
        listed = await self.stakes_of(providers)
        index = {(s.provider, s.owner, s.provider_stake_id): s for s in listed.items}
        results: list[Stake | None] = []
        for key in keys:
            stake = index.get(key)
            if stake is None and not any(f.provider is key[0] for f in listed.failures):
                # Not in the list (e.g. closed long ago): ask for it by id.
                try:
                    stake = await self.reader.stake(self.caller, *key)
                except ProviderError:
                    stake = None
            results.append(stake)
        return results

    async def _load_stake_rewards(self, keys: Sequence[StakeKey]) -> list[StakeRewards]:
        if self.caller is None:
            return [StakeRewards() for _ in keys]
        providers = sorted({p for p, _, _ in keys}, key=lambda p: p.value)
        gathered = await self.rewards_of(providers)
        grouped: dict[StakeKey, list[Reward]] = defaultdict(list)
        for reward in gathered.items:
            if reward.provider_stake_id is not None:
                grouped[
                    (reward.provider, reward.owner, reward.provider_stake_id)
                ].append(reward)
        failed = {f.provider: f for f in gathered.failures}
        return [
            StakeRewards(
                items=grouped.get(key, []),
                failures=[failed[key[0]]] if key[0] in failed else [],
            )
            for key in keys
        ]

    async def _load_history(
        self, keys: Sequence[HistoryKey]
    ) -> list[list[StatusEvent]]:
        by_provider: dict[Provider, list[str]] = defaultdict(list)
        for provider, stake_id in keys:
            by_provider[provider].append(stake_id)
        found: dict[HistoryKey, list[StatusEvent]] = {}
        for provider, stake_ids in by_provider.items():
            for stake_id, events in (
                await self.history_store.for_stakes(provider, stake_ids)
            ).items():
                found[(provider, stake_id)] = events
        return [found.get(key, []) for key in keys]


def _merged(parts: Sequence[Gathered[V]]) -> Gathered[V]:
    merged: Gathered[V] = Gathered()
    for part in parts:
        merged.items.extend(part.items)
        merged.failures.extend(part.failures)
    return merged


async def _nothing() -> Gathered[Any]:
    return Gathered()
