"""A Zerohash staking webhook payload, read strictly, beta and live event names alike.

Live names (PROVIDERS.md 2.3) are dotted: ``stake.confirmed``,
``staking_reward.received``, ``unstake.unstaked``. The beta guide (seed 002) wrote
``stake_confirmed``, ``reward_received``, ``funds_available``: read as their live
equivalents.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from providers.zerohash import parsing as p

STAKE_EVENTS = frozenset(
    f"stake.{s}"
    for s in ("submitted", "canceled", "broadcasted", "confirmed", "staked", "failed")
)
UNSTAKE_EVENTS = frozenset(
    f"unstake.{s}"
    for s in ("submitted", "canceled", "broadcasted", "confirmed", "unstaked", "failed")
)
REWARD_EVENT = "staking_reward.received"
_BETA_NAMES = {"reward_received": REWARD_EVENT, "funds_available": "unstake.unstaked"}


def live_event_name(name: str) -> str:
    name = name.strip().lower()
    if name in _BETA_NAMES:
        return _BETA_NAMES[name]
    for prefix in ("stake_", "unstake_"):
        if name.startswith(prefix):
            return prefix[:-1] + "." + name[len(prefix) :]
    return name


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    event_type: str
    participant_code: str
    occurred_at: datetime | None
    stake_id: str | None
    unstake_id: str | None
    unstake_type: str | None
    asset: str | None
    amount: Decimal | None
    # The status after the event; the event name's suffix when the body omits it.
    status: str
    tx_hash: str | None
    reason: str | None
    distribution_id: str | None
    reward_amount: Decimal | None
    reward_date: str | None
    credited_at: datetime | None
    usd_value: Decimal | None
    apy: Decimal | None
    validator_id: str | None

    @property
    def is_reward(self) -> bool:
        return self.event_type == REWARD_EVENT

    @property
    def is_unstake(self) -> bool:
        return self.event_type in UNSTAKE_EVENTS

    @classmethod
    def from_json(cls, value: object) -> "WebhookEvent":
        obj = p.as_object(value, "webhook body")
        event_type = live_event_name(p.text(obj, "event_type"))
        if event_type not in STAKE_EVENTS | UNSTAKE_EVENTS | {REWARD_EVENT}:
            raise p.protocol_error(f"unsupported event type {event_type!r}")
        occurred = p.opt_timestamp(obj, "occurred_at") or p.opt_timestamp(
            obj, "timestamp"
        )
        status = p.opt_text(obj, "status") or event_type.rsplit(".", 1)[1]
        apy_key = "apy_at_time" if obj.get("apy_at_time") is not None else "apy"
        event = cls(
            event_type=event_type,
            participant_code=p.text(obj, "participant_code"),
            occurred_at=occurred,
            stake_id=p.opt_text(obj, "stake_id"),
            unstake_id=p.opt_text(obj, "unstake_id"),
            unstake_type=p.opt_text(obj, "unstake_type"),
            asset=p.opt_text(obj, "asset"),
            amount=p.opt_non_negative(obj, "amount"),
            status=status.lower(),
            tx_hash=p.opt_text(obj, "tx_hash")
            or p.opt_text(obj, "network_transaction_id"),
            reason=p.opt_text(obj, "reason"),
            distribution_id=p.opt_text(obj, "distribution_id")
            or p.opt_text(obj, "reward_id"),
            reward_amount=p.opt_non_negative(obj, "reward_amount"),
            reward_date=p.opt_text(obj, "reward_date"),
            credited_at=p.opt_timestamp(obj, "credited_at"),
            usd_value=p.opt_non_negative(obj, "usd_value"),
            apy=p.opt_non_negative(obj, apy_key),
            validator_id=p.opt_text(obj, "validator_id"),
        )
        event.check_ids()
        return event

    def check_ids(self) -> None:
        if self.is_reward:
            if self.reward_amount is None or self.asset is None:
                raise p.protocol_error("a reward event needs reward_amount and asset")
        elif self.is_unstake:
            if self.unstake_id is None:
                raise p.protocol_error("an unstake event needs unstake_id")
        elif self.stake_id is None:
            raise p.protocol_error("a stake event needs stake_id")
