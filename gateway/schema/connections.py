"""Cursor-paginated lists that carry the failures of the providers they could not reach."""

from collections.abc import Sequence
from datetime import UTC, datetime

import strawberry

from gateway.domain import models
from gateway.schema.types import Allocation, ProviderFailure, Reward, Stake
from gateway.services.pagination import SortKey, encode_cursor, paginate

_PAGE_INFO = "Whether more items follow, and the cursor to fetch them."
_FAILURES = (
    "Providers that could not answer; the items from the others are still returned."
)

# Rewards with no date sort last.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True if more items follow this page."
    )
    end_cursor: str | None = strawberry.field(
        description=(
            "Opaque cursor of the last item on this page; pass it as "
            "`after` for the next page. Null on an empty page."
        )
    )


@strawberry.type
class Edge:
    sort_key: strawberry.Private[SortKey]

    @strawberry.field(
        description=(
            "Opaque cursor of this item; pass it as `after` to continue after it."
        )
    )
    def cursor(self) -> str:
        # Encoded only when asked for: most pages select the nodes, not the cursors.
        return encode_cursor(self.sort_key)


@strawberry.type(description="One stake in a page, with its cursor.")
class StakeEdge(Edge):
    node: Stake = strawberry.field(description="The stake.")


@strawberry.type(description="A page of stakes, newest first, merged across providers.")
class StakeConnection:
    edges: list[StakeEdge] = strawberry.field(
        description="The stakes on this page, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(description=_PAGE_INFO)
    provider_failures: list[ProviderFailure] = strawberry.field(description=_FAILURES)


@strawberry.type(description="One reward in a page, with its cursor.")
class RewardEdge(Edge):
    node: Reward = strawberry.field(description="The reward.")


@strawberry.type(
    description=(
        "A page of rewards, newest first. Dfns gives one cumulative "
        "running total per stake, Zerohash each distribution, Crocante "
        "the yield on a position."
    )
)
class RewardConnection:
    edges: list[RewardEdge] = strawberry.field(
        description="The rewards on this page, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(description=_PAGE_INFO)
    provider_failures: list[ProviderFailure] = strawberry.field(description=_FAILURES)


@strawberry.type(description="One allocation in a page, with its cursor.")
class AllocationEdge(Edge):
    node: Allocation = strawberry.field(description="The allocation.")


@strawberry.type(description="A page of allocations, newest first.")
class AllocationConnection:
    edges: list[AllocationEdge] = strawberry.field(
        description="The allocations on this page, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(description=_PAGE_INFO)
    provider_failures: list[ProviderFailure] = strawberry.field(
        description="Set when Dfns could not answer."
    )


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
