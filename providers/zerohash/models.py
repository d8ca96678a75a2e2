"""Zerohash's JSON as typed values, read strictly (see `parsing`).

Field names follow the staking guide (seed 002) and PROVIDERS.md 2.2. Optional fields
are optional here too: the live API is newer than the guide and may leave some out.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from providers.zerohash import parsing as p


@dataclass(frozen=True, slots=True)
class AssetInfo:
    asset: str
    name: str | None
    staking_enabled: bool

    @classmethod
    def from_json(cls, value: object) -> "AssetInfo":
        obj = p.as_object(value, "asset")
        enabled = obj.get("staking_enabled", False)
        if not isinstance(enabled, bool):
            raise p.protocol_error("staking_enabled is not a boolean")
        return cls(
            asset=p.text(obj, "asset"),
            name=p.opt_text(obj, "name"),
            staking_enabled=enabled,
        )


@dataclass(frozen=True, slots=True)
class StakingInfo:
    asset: str
    # A percentage, as Zerohash writes it ("3.47" is 3.47 %).
    apy_net: Decimal
    unstaking_period_days: int | None
    payout_frequency: str | None
    activation_time_hours: Decimal | None
    lockup_period_days: int | None
    minimum_stake_amount: Decimal | None

    @classmethod
    def from_json(cls, value: object) -> "StakingInfo":
        obj = p.as_object(value, "staking info")
        return cls(
            asset=p.text(obj, "asset"),
            apy_net=p.non_negative(obj, "apy_net"),
            unstaking_period_days=p.opt_integer(
                obj, "unstaking_period_days", high=3650
            ),
            payout_frequency=p.opt_text(obj, "payout_frequency"),
            activation_time_hours=p.opt_non_negative(obj, "activation_time_hours"),
            lockup_period_days=p.opt_integer(obj, "lockup_period_days", high=3650),
            minimum_stake_amount=p.opt_non_negative(obj, "minimum_stake_amount"),
        )


@dataclass(frozen=True, slots=True)
class ParticipantInfo:
    participant_code: str
    # "approved" may transact; "pending_approval", "locked"… may not.
    status: str
    jurisdiction_code: str | None
    staking_terms_accepted: bool

    @classmethod
    def from_json(cls, value: object) -> "ParticipantInfo":
        obj = p.as_object(value, "participant")
        agreements = obj.get("signed_agreements") or []
        accepted = False
        for agreement in p.as_list(agreements, "signed_agreements"):
            # The beta guide writes agreement types as bare strings.
            kind = (
                agreement
                if isinstance(agreement, str)
                else p.text(p.as_object(agreement, "signed agreement"), "type")
            )
            accepted = accepted or kind.lower() == "staking"
        return cls(
            participant_code=p.text(obj, "participant_code"),
            status=p.text(obj, "status").lower(),
            jurisdiction_code=p.opt_text(obj, "jurisdiction_code"),
            staking_terms_accepted=accepted,
        )


@dataclass(frozen=True, slots=True)
class Balance:
    asset: str
    account_type: str
    account_label: str | None
    balance: Decimal

    @classmethod
    def from_json(cls, value: object) -> "Balance":
        obj = p.as_object(value, "account")
        return cls(
            asset=p.text(obj, "asset"),
            account_type=p.text(obj, "account_type"),
            account_label=p.opt_text(obj, "account_label"),
            balance=p.decimal(obj, "balance"),
        )


@dataclass(frozen=True, slots=True)
class ValidatorInfo:
    provider: str | None
    validator_id: str | None

    @classmethod
    def from_json(cls, value: object) -> "ValidatorInfo | None":
        if value is None:
            return None
        obj = p.as_object(value, "validator_info")
        return cls(p.opt_text(obj, "provider"), p.opt_text(obj, "validator_id"))


@dataclass(frozen=True, slots=True)
class UnstakeRecord:
    unstake_id: str
    # Only the beta guide's sample names a stake; the live API unstakes an asset.
    stake_id: str | None
    asset: str | None
    amount: Decimal
    unstake_type: str | None
    status: str
    cooldown_period_days: int | None
    estimated_available_at: datetime | None
    created_at: datetime
    updated_at: datetime | None
    tx_hash: str | None
    reason: str | None

    @classmethod
    def from_json(cls, value: object) -> "UnstakeRecord":
        obj = p.as_object(value, "unstake")
        return cls(
            unstake_id=p.text(obj, "unstake_id"),
            stake_id=p.opt_text(obj, "stake_id"),
            asset=p.opt_text(obj, "asset"),
            amount=p.non_negative(obj, "amount"),
            unstake_type=p.opt_text(obj, "unstake_type"),
            status=p.text(obj, "status"),
            cooldown_period_days=p.opt_integer(obj, "cooldown_period_days", high=3650),
            estimated_available_at=p.opt_timestamp(obj, "estimated_available_at"),
            created_at=p.timestamp(obj, "created_at"),
            updated_at=p.opt_timestamp(obj, "updated_at"),
            tx_hash=p.opt_text(obj, "tx_hash"),
            reason=p.opt_text(obj, "reason"),
        )


@dataclass(frozen=True, slots=True)
class StakeRecord:
    stake_id: str
    participant_code: str
    asset: str
    quantity: Decimal
    current_quantity: Decimal | None
    status: str
    # A percentage, as Zerohash writes it.
    apy: Decimal | None
    total_rewards_earned: Decimal | None
    created_at: datetime
    activated_at: datetime | None
    updated_at: datetime | None
    estimated_activation_time: datetime | None
    validator: ValidatorInfo | None
    tx_hash: str | None
    reason: str | None

    @classmethod
    def from_json(cls, value: object) -> "StakeRecord":
        obj = p.as_object(value, "stake")
        return cls(
            stake_id=p.text(obj, "stake_id"),
            participant_code=p.text(obj, "participant_code"),
            asset=p.text(obj, "asset"),
            quantity=p.non_negative(obj, "quantity"),
            current_quantity=p.opt_non_negative(obj, "current_quantity"),
            status=p.text(obj, "status"),
            apy=p.opt_non_negative(obj, "apy"),
            total_rewards_earned=p.opt_non_negative(obj, "total_rewards_earned"),
            created_at=p.timestamp(obj, "created_at"),
            activated_at=p.opt_timestamp(obj, "activated_at"),
            updated_at=p.opt_timestamp(obj, "updated_at"),
            estimated_activation_time=p.opt_timestamp(obj, "estimated_activation_time"),
            validator=ValidatorInfo.from_json(obj.get("validator_info")),
            tx_hash=p.opt_text(obj, "tx_hash"),
            reason=p.opt_text(obj, "reason"),
        )


@dataclass(frozen=True, slots=True)
class RewardRecord:
    reward_id: str
    stake_id: str | None
    asset: str
    reward_amount: Decimal
    reward_date: date | None
    credited_at: datetime | None
    usd_value: Decimal | None
    # A percentage: the guide names it `apy_at_time`, some answers `apy`.
    apy: Decimal | None
    validator_id: str | None

    @classmethod
    def from_json(cls, value: object) -> "RewardRecord":
        obj = p.as_object(value, "reward")
        apy_key = "apy_at_time" if obj.get("apy_at_time") is not None else "apy"
        return cls(
            reward_id=p.text(obj, "reward_id"),
            stake_id=p.opt_text(obj, "stake_id"),
            asset=p.text(obj, "asset"),
            reward_amount=p.non_negative(obj, "reward_amount"),
            reward_date=p.opt_date(obj, "reward_date"),
            credited_at=p.opt_timestamp(obj, "credited_at"),
            usd_value=p.opt_non_negative(obj, "usd_value"),
            apy=p.opt_non_negative(obj, apy_key),
            validator_id=p.opt_text(obj, "validator_id"),
        )


@dataclass(frozen=True, slots=True)
class Pagination:
    page: int
    total_pages: int

    @classmethod
    def from_json(cls, value: object) -> "Pagination | None":
        if value is None:
            return None
        obj = p.as_object(value, "pagination")
        return cls(p.integer(obj, "page"), p.integer(obj, "total_pages"))


@dataclass(frozen=True, slots=True)
class ErrorBody:
    error_code: str
    message: str
    validation_checks: Mapping[str, Any]
    details: Mapping[str, Any]

    @classmethod
    def from_json(cls, value: object) -> "ErrorBody | None":
        """The error body, or None when the answer is not one (a proxy page)."""
        if not isinstance(value, dict) or not isinstance(value.get("error_code"), str):
            return None
        details = value.get("details")
        details = details if isinstance(details, dict) else {}
        checks = details.get("validation_checks")
        user_message = value.get("user_message")
        message = value.get("message")
        text = (
            user_message if isinstance(user_message, str) and user_message else message
        )
        return cls(
            error_code=value["error_code"][: p.MAX_TEXT],
            message=(text if isinstance(text, str) else value["error_code"])[
                : p.MAX_TEXT
            ],
            validation_checks=checks if isinstance(checks, dict) else {},
            details=details,
        )
