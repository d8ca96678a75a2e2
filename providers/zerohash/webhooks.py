"""Verifying a Zerohash webhook and reading it as a `ProviderNotice`.

Two methods, either or both configured (PROVIDERS.md 2.4):
- HMAC: x-zh-hook-signature = hex(HMAC-SHA256(key=webhook secret (UTF-8),
                                             msg=raw body + x-zh-hook-timestamp))
- RSA (Zero Hash's preferred): x-zh-hook-rsa-signature over the same bytes, checked
  against ZEROHASH_WEBHOOK_PUBLIC_KEY (`webhook_rsa`).
With both configured, a delivery is accepted when one of them verifies. The timestamp is
Unix milliseconds and must lie within `tolerance` of `now`, so a captured delivery
cannot be replayed later. The legacy body-only x-zh-hook-signature-256 and
x-zh-hook-rsa-signature-256 carry no replay protection: they are not accepted on their
own, and a legacy RSA signature that is present but wrong refuses the delivery.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from gateway.domain.enums import Provider, StakeActionKind
from gateway.domain.models import Asset, Reward, StakeAction
from gateway.domain.notices import ProviderNotice
from gateway.domain.provider_statuses import (
    UnknownProviderStatus,
    action_status,
    stake_status,
    zerohash_unstaking_status,
)
from providers.base import ProviderError
from providers.zerohash.events import WebhookEvent
from providers.zerohash.mapping import percent_to_fraction
from providers.zerohash.webhook_rsa import PublicKey, rsa_verifies

PROVIDER = Provider.ZEROHASH
_MAX_TIMESTAMP_MS = 10**14


class WebhookRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def webhook_signature(secret: SecretStr, body: bytes, timestamp: str) -> str:
    key = secret.get_secret_value().encode()
    return hmac.new(key, body + timestamp.encode(), hashlib.sha256).hexdigest()


def _sent_at(headers: Mapping[str, str], now: datetime, tolerance: timedelta) -> str:
    raw = headers.get("x-zh-hook-timestamp")
    if raw is None:
        raise WebhookRejected("missing x-zh-hook-timestamp")
    raw = raw.strip()
    if not raw.isdigit() or int(raw) > _MAX_TIMESTAMP_MS:
        raise WebhookRejected("x-zh-hook-timestamp is not Unix milliseconds")
    sent = datetime.fromtimestamp(int(raw) / 1000, UTC)
    if abs(now - sent) > tolerance:
        raise WebhookRejected("x-zh-hook-timestamp is outside the accepted window")
    return raw


def _hmac_verifies(secret: SecretStr, signature: str, body: bytes, stamp: str) -> bool:
    expected = webhook_signature(secret, body, stamp)
    return hmac.compare_digest(expected, signature.strip().lower())


def _check_signatures(
    lower: Mapping[str, str],
    body: bytes,
    stamp: str,
    secret: SecretStr | None,
    public_key: PublicKey | None,
) -> None:
    hmac_sig = lower.get("x-zh-hook-signature")
    rsa_sig = lower.get("x-zh-hook-rsa-signature")
    legacy_rsa = lower.get("x-zh-hook-rsa-signature-256")
    if public_key is not None and legacy_rsa:
        if not rsa_verifies(public_key, legacy_rsa, body):
            raise WebhookRejected("bad x-zh-hook-rsa-signature-256")
    tried: list[str] = []
    if secret is not None and hmac_sig:
        if _hmac_verifies(secret, hmac_sig, body, stamp):
            return
        tried.append("x-zh-hook-signature")
    if public_key is not None and rsa_sig:
        if rsa_verifies(public_key, rsa_sig, body + stamp.encode()):
            return
        tried.append("x-zh-hook-rsa-signature")
    if tried:
        raise WebhookRejected(f"bad {' and '.join(tried)}")
    wanted = [
        name
        for name, configured in (
            ("x-zh-hook-signature", secret is not None),
            ("x-zh-hook-rsa-signature", public_key is not None),
        )
        if configured
    ]
    raise WebhookRejected(f"missing {' or '.join(wanted)}")


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secret: SecretStr | None,
    now: datetime,
    tolerance: timedelta = timedelta(minutes=5),
    *,
    public_key: PublicKey | None = None,
) -> ProviderNotice:
    if secret is None and public_key is None:
        raise ValueError("a webhook secret or an RSA public key is required")
    lower = {key.lower(): value for key, value in headers.items()}
    if not any(
        lower.get(h) for h in ("x-zh-hook-signature", "x-zh-hook-rsa-signature")
    ):
        raise WebhookRejected("missing x-zh-hook-signature or x-zh-hook-rsa-signature")
    sent_at = _sent_at(lower, now, tolerance)
    _check_signatures(lower, body, sent_at, secret, public_key)
    event_id = lower.get("x-zh-hook-notification-id", "").strip()
    if not event_id:
        raise WebhookRejected("missing x-zh-hook-notification-id")
    try:
        event = WebhookEvent.from_json(json.loads(body))
        return notice_from_event(event, event_id, fallback_time=now)
    except (ValueError, ProviderError, UnknownProviderStatus) as exc:
        raise WebhookRejected(f"unreadable body: {exc}") from None


def notice_from_event(
    event: WebhookEvent, event_id: str, *, fallback_time: datetime
) -> ProviderNotice:
    occurred_at = event.occurred_at or fallback_time
    base = ProviderNotice(
        provider=PROVIDER,
        event_id=event_id,
        dedupe_key="",
        event_type=event.event_type,
        owner=event.participant_code,
        occurred_at=occurred_at,
        provider_stake_id=event.stake_id,
    )
    if event.is_reward:
        reward = _reward(event, occurred_at)
        return replace(
            base, dedupe_key=f"reward:{reward.provider_reward_id}", reward=reward
        )
    if event.is_unstake:
        assert event.unstake_id is not None
        full = (event.unstake_type or "").lower() == "full"
        return replace(
            base,
            dedupe_key=f"unstake:{event.unstake_id}:{event.status}",
            stake_status=zerohash_unstaking_status(event.status) if full else None,
            provider_stake_status=event.status if full else None,
            action=_action(
                event, StakeActionKind.UNSTAKE, event.unstake_id, occurred_at
            ),
        )
    assert event.stake_id is not None
    return replace(
        base,
        dedupe_key=f"stake:{event.stake_id}:{event.status}",
        stake_status=stake_status(PROVIDER, event.status),
        provider_stake_status=event.status,
        action=_action(event, StakeActionKind.STAKE, event.stake_id, occurred_at),
    )


def _action(
    event: WebhookEvent, kind: StakeActionKind, action_id: str, occurred_at: datetime
) -> StakeAction:
    return StakeAction(
        provider=PROVIDER,
        provider_action_id=action_id,
        owner=event.participant_code,
        kind=kind,
        status=action_status(PROVIDER, event.status),
        provider_status=event.status,
        # The event does not say when the request was made; the gateway keeps the first.
        created_at=occurred_at,
        provider_stake_id=event.stake_id,
        amount=event.amount,
        transaction_hash=event.tx_hash,
        failure_reason=event.reason if event.status in ("failed", "canceled") else None,
    )


def _reward(event: WebhookEvent, occurred_at: datetime) -> Reward:
    assert event.reward_amount is not None and event.asset is not None
    # Beta rewards carry no distribution id: the stake and day name the same fact.
    reward_id = event.distribution_id or f"{event.stake_id}:{event.reward_date}"
    return Reward(
        provider=PROVIDER,
        provider_reward_id=reward_id,
        owner=event.participant_code,
        asset=Asset(symbol=event.asset),
        amount=event.reward_amount,
        cumulative=False,
        provider_stake_id=event.stake_id,
        credited_at=event.credited_at or occurred_at,
        apy=percent_to_fraction(event.apy),
        usd_value=event.usd_value,
        validator_id=event.validator_id,
    )
