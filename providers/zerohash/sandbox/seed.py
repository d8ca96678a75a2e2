"""The demo participant's history, produced by the same lifecycle a client drives:
requests placed in the past, the clock settled forward to now, no webhooks sent."""

from datetime import datetime, timedelta
from decimal import Decimal

from providers.zerohash.sandbox.assets import DEFAULT_ACCOUNT_LABEL
from providers.zerohash.sandbox.state import ZerohashState

DEMO_PARTICIPANT = "DEMO01"
DEMO_OWNERS = (DEMO_PARTICIPANT,)


def seed_demo(state: ZerohashState, now: datetime) -> None:
    """DEMO01 has accepted the terms and holds: 32 ETH staked for ~19 days (with daily
    rewards), 150 SOL staked with a completed partial unstake of 50, and 2 ETH just
    submitted (pending)."""
    emit, state.emit = state.emit, lambda _event: None
    try:
        label = DEFAULT_ACCOUNT_LABEL
        owner = state.participant(DEMO_PARTICIPANT, now - timedelta(days=21))
        owner.terms_accepted_at, owner.terms_region = now - timedelta(days=21), "us"
        state.submit_stake(owner, label, "ETH", Decimal(32), now - timedelta(days=20))
        state.settle(now - timedelta(days=15))
        sol = state.submit_stake(
            owner, label, "SOL", Decimal(150), now - timedelta(days=15)
        )
        state.settle(now - timedelta(days=10))
        state.submit_unstake(
            owner, label, sol.asset, Decimal(50), "partial", now - timedelta(days=10)
        )
        state.settle(now - timedelta(minutes=5))
        state.submit_stake(owner, label, "ETH", Decimal(2), now - timedelta(minutes=5))
        state.settle(now)
    finally:
        state.emit = emit
