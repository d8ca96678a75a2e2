"""Sandbox records as Zerohash JSON: snake_case, decimal strings, ISO 8601 UTC times."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from providers.zerohash.sandbox.assets import ASSETS, AssetSpec
from providers.zerohash.sandbox.records import (
    Balances,
    Participant,
    RewardRec,
    StakeRec,
    UnstakeRec,
)

Json = dict[str, Any]
CENT = Decimal("0.01")


def iso(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def opt_iso(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def amount(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def usd(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


def asset_view(spec: AssetSpec) -> Json:
    return {
        "asset": spec.symbol,
        "name": spec.name,
        "rfq_liquidity_enabled": True,
        "staking_enabled": spec.staking_enabled,
    }


def staking_info_view(spec: AssetSpec) -> Json:
    return {
        "asset": spec.symbol,
        "apy_net": amount(spec.apy_net),
        "lockup_period_days": 0,
        # The live API has no minimums.
        "minimum_stake_amount": "0",
        "payout_frequency": "daily",
        "unstaking_period_days": str(spec.unstaking_period_days),
        "activation_time_hours": amount(
            Decimal(spec.activation.total_seconds()) / 3600
        ),
    }


def participant_view(p: Participant) -> Json:
    agreements = []
    if p.terms_accepted_at is not None:
        agreements.append(
            {
                "type": "staking",
                "region": p.terms_region or "us",
                "signed_timestamp": int(p.terms_accepted_at.timestamp() * 1000),
            }
        )
    return {
        "participant_code": p.code,
        "status": p.status,
        "kyc": p.kyc,
        "participant_type": "individual",
        "jurisdiction_code": p.jurisdiction_code,
        "signed_agreements": agreements,
        "created_at": int(p.created_at.timestamp() * 1000),
    }


def account_view(
    p: Participant, label: str, asset: str, kind: str, balances: Balances
) -> Json:
    return {
        "asset": asset,
        "account_owner": p.code,
        "account_label": label,
        "account_type": kind,
        "account_group": "staking" if kind != "available" else "general",
        "account_id": f"{p.code}-{label}-{asset}-{kind}".lower(),
        "balance": amount(getattr(balances, kind)),
    }


def unstake_view(u: UnstakeRec) -> Json:
    return {
        "unstake_id": u.unstake_id,
        "participant_code": u.participant_code,
        "account_label": u.account_label,
        "asset": u.asset,
        "amount": amount(u.amount),
        "unstake_type": u.unstake_type,
        "status": u.status,
        "cooldown_period_days": u.cooldown_period_days,
        "estimated_available_at": iso(u.estimated_available_at),
        "created_at": iso(u.created_at),
        "updated_at": iso(u.updated_at),
        "tx_hash": u.tx_hash,
        "reason": u.reason,
    }


def stake_view(s: StakeRec) -> Json:
    price = ASSETS[s.asset].price_usd
    return {
        "stake_id": s.stake_id,
        "participant_code": s.participant_code,
        "account_label": s.account_label,
        "asset": s.asset,
        "quantity": amount(s.quantity),
        "current_quantity": amount(s.current_quantity),
        "price": usd(price),
        "current_value_usd": usd(s.current_quantity * price),
        "status": s.status,
        "apy": amount(s.apy),
        "total_rewards_earned": amount(s.total_rewards),
        "last_reward_at": opt_iso(s.last_reward_at),
        "created_at": iso(s.created_at),
        "updated_at": iso(s.updated_at),
        "activated_at": opt_iso(s.activated_at),
        "estimated_activation_time": iso(s.estimated_activation_time),
        "validator_info": {
            "provider": s.validator_provider,
            "validator_id": s.validator_id,
        },
        "tx_hash": s.tx_hash,
        "reason": s.reason,
    }


def reward_view(r: RewardRec) -> Json:
    return {
        "reward_id": r.reward_id,
        "distribution_id": r.reward_id,
        "stake_id": r.stake_id,
        "asset": r.asset,
        "reward_amount": amount(r.amount),
        "reward_date": r.reward_date.isoformat(),
        "apy_at_time": amount(r.apy),
        "validator_id": r.validator_id,
        "credited_at": iso(r.credited_at),
        "usd_value": usd(r.usd_value),
    }


def stake_event(s: StakeRec, sent: datetime, occurred: datetime) -> Json:
    event: Json = {
        "event_type": f"stake.{s.status}",
        "timestamp": iso(sent),
        "occurred_at": iso(occurred),
        "participant_code": s.participant_code,
        "account_label": s.account_label,
        "stake_id": s.stake_id,
        "asset": s.asset,
        "amount": amount(s.quantity),
        "status": s.status,
    }
    if s.status in ("confirmed", "staked"):
        event["tx_hash"] = s.tx_hash
    if s.reason is not None:
        event["reason"] = s.reason
    return event


def unstake_event(u: UnstakeRec, sent: datetime, occurred: datetime) -> Json:
    event: Json = {
        "event_type": f"unstake.{u.status}",
        "timestamp": iso(sent),
        "occurred_at": iso(occurred),
        "participant_code": u.participant_code,
        "account_label": u.account_label,
        "unstake_id": u.unstake_id,
        "asset": u.asset,
        "amount": amount(u.amount),
        "status": u.status,
    }
    if u.status in ("confirmed", "unstaked"):
        event["tx_hash"] = u.tx_hash
    if u.reason is not None:
        event["reason"] = u.reason
    return event


def reward_event(r: RewardRec, sent: datetime) -> Json:
    return {
        "event_type": "staking_reward.received",
        "timestamp": iso(sent),
        "occurred_at": iso(r.credited_at),
        "participant_code": r.participant_code,
        "account_label": r.account_label,
        "stake_id": r.stake_id,
        "asset": r.asset,
        "distribution_id": r.reward_id,
        "reward_amount": amount(r.amount),
        "cumulative_rewards_amount": amount(r.cumulative),
        "credited_at": iso(r.credited_at),
        "status": "credited",
    }
