"""Cursor-paginated lists that carry the failures of the providers they could not reach."""

from collections.abc import Sequence
from datetime import UTC, datetime

import strawberry

from gateway.domain import models
from gateway.schema.types import Allocation, PageInfo, ProviderFailure, Reward, Stake
from gateway.services.pagination import SortKey, encode_cursor, paginate

# Rewards with no date sort last.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@strawberry.type
class Edge:
    sort_key: strawberry.Private[SortKey]

    @strawberry.field
    def cursor(self) -> str:
        # Encoded only when asked for: most pages select the nodes, not the cursors.
        return encode_cursor(self.sort_key)


@strawberry.type
class StakeEdge(Edge):
    node: Stake


@strawberry.type
class StakeConnection:
    edges: list[StakeEdge]
    page_info: PageInfo
    provider_failures: list[ProviderFailure]


@strawberry.type
class RewardEdge(Edge):
    node: Reward


@strawberry.type
class RewardConnection:
    edges: list[RewardEdge]
    page_info: PageInfo
    provider_failures: list[ProviderFailure]


@strawberry.type
class AllocationEdge(Edge):
    node: Allocation


@strawberry.type
class AllocationConnection:
    edges: list[AllocationEdge]
    page_info: PageInfo
    provider_failures: list[ProviderFailure]


def _stake_key(stake: models.Stake) -> SortKey:
    return (stake.created_at, stake.provider.value, stake.provider_stake_id)


def _reward_key(reward: models.Reward) -> SortKey:
    at = reward.credited_at or EPOCH
    return (at, reward.provider.value, reward.provider_reward_id)


def _allocation_key(allocation: models.Allocation) -> SortKey:
    return (
        allocation.created_at,
        allocation.provider.value,
        allocation.provider_allocation_id,
    )


def _failures(failures: Sequence[models.ProviderFailure]) -> list[ProviderFailure]:
    return [ProviderFailure.of(f) for f in failures]


def stake_connection(
    stakes: Sequence[models.Stake],
    failures: Sequence[models.ProviderFailure],
    *,
    first: int | None,
    after: str | None,
) -> StakeConnection:
    page = paginate(stakes, _stake_key, first=first, after=after)
    return StakeConnection(
        edges=[StakeEdge(sort_key=k, node=Stake.of(s)) for k, s in page.items],
        page_info=PageInfo(
            has_next_page=page.has_next_page, end_cursor=page.end_cursor
        ),
        provider_failures=_failures(failures),
    )


def reward_connection(
    rewards: Sequence[models.Reward],
    failures: Sequence[models.ProviderFailure],
    *,
    first: int | None,
    after: str | None,
) -> RewardConnection:
    page = paginate(rewards, _reward_key, first=first, after=after)
    return RewardConnection(
        edges=[RewardEdge(sort_key=k, node=Reward.of(r)) for k, r in page.items],
        page_info=PageInfo(
            has_next_page=page.has_next_page, end_cursor=page.end_cursor
        ),
        provider_failures=_failures(failures),
    )


def allocation_connection(
    allocations: Sequence[models.Allocation],
    failures: Sequence[models.ProviderFailure],
    *,
    first: int | None,
    after: str | None,
) -> AllocationConnection:
    page = paginate(allocations, _allocation_key, first=first, after=after)
    return AllocationConnection(
        edges=[
            AllocationEdge(sort_key=k, node=Allocation.of(a)) for k, a in page.items
        ],
        page_info=PageInfo(
            has_next_page=page.has_next_page, end_cursor=page.end_cursor
        ),
        provider_failures=_failures(failures),
    )
