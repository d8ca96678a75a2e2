"""Portfolio totals per provider and asset, with an amount-weighted APY."""

from datetime import UTC, datetime
from decimal import Decimal

from gateway.domain.enums import Provider, StakeStatus
from gateway.domain.models import Asset, ProviderFailure, Reward, Stake
from gateway.services.reads import summarize

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def stake(provider, status, amount, apy=None, symbol="ETH"):
    return Stake(
        provider, f"{provider}-{amount}", "o", status, status.value, Asset(symbol),
        Decimal(amount), NOW, NOW, apy=None if apy is None else Decimal(apy),
    )  # fmt: skip


def test_totals_split_staked_from_unbonding_and_weight_the_apy():
    stakes = [
        stake(Provider.DFNS, StakeStatus.ACTIVE, "30", "0.04"),
        stake(Provider.ZEROHASH, StakeStatus.ACTIVE, "10", "0.08"),
        stake(Provider.ZEROHASH, StakeStatus.UNBONDING, "5", "0.08"),
        stake(Provider.ZEROHASH, StakeStatus.WITHDRAWN, "7", "0.08"),
    ]
    rewards = [
        Reward(Provider.ZEROHASH, "r1", "o", Asset("ETH"), Decimal("0.25"), False),
        Reward(Provider.ZEROHASH, "r2", "o", Asset("ETH"), Decimal("0.5"), False),
    ]
    summary = summarize(stakes, rewards, [])
    by = {(t.provider, t.asset.symbol): t for t in summary.totals}
    assert by[(Provider.DFNS, "ETH")].staked == Decimal(30)
    zerohash = by[(Provider.ZEROHASH, "ETH")]
    assert (zerohash.staked, zerohash.unbonding, zerohash.rewards) == (
        Decimal(10), Decimal(5), Decimal("0.75"),
    )  # fmt: skip
    assert summary.average_apy == Decimal("0.05")  # (30*0.04 + 10*0.08) / 40
    assert summary.stake_count == 4


def test_failures_are_reported_once_per_provider_and_code():
    failure = ProviderFailure(Provider.DFNS, "TIMEOUT", "slow", True)
    summary = summarize([], [], [failure], [failure])
    assert summary.provider_failures == [failure]
    assert summary.average_apy is None
