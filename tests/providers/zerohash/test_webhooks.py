"""verify_webhook: signatures, the replay window, live and beta events as notices."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import SecretStr

from gateway.domain.enums import ActionStatus, Provider, StakeActionKind, StakeStatus
from providers.zerohash import WebhookRejected, verify_webhook

SECRET = SecretStr("whsec-test")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _signed(payload, *, secret="whsec-test", sent=NOW, notification_id="n-1"):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int(sent.timestamp() * 1000))
    signature = hmac.new(secret.encode(), body + stamp.encode(), hashlib.sha256)
    headers = {
        "x-zh-hook-notification-id": notification_id,
        "x-zh-hook-payload-type": "staking",
        "x-zh-hook-timestamp": stamp,
        "x-zh-hook-signature": signature.hexdigest(),
    }
    return headers, body


def _stake_event(event_type="stake.confirmed", **extra):
    return {
        "event_type": event_type,
        "timestamp": "2026-03-02T11:59:59.000Z",
        "occurred_at": "2026-03-02T11:59:58.000Z",
        "participant_code": "CUST01",
        "account_label": "general",
        "stake_id": "stake-1",
        "asset": "ETH",
        "amount": "10.5",
        "status": event_type.split(".")[1],
        **extra,
    }


def test_a_live_stake_event_becomes_a_lifecycle_notice():
    headers, body = _signed(_stake_event(tx_hash="0xabc"))
    notice = verify_webhook(headers, body, SECRET, NOW)
    assert notice.provider is Provider.ZEROHASH
    assert notice.event_id == "n-1"
    assert notice.dedupe_key == "stake:stake-1:confirmed"
    assert notice.owner == "CUST01"
    assert notice.occurred_at == datetime(2026, 3, 2, 11, 59, 58, tzinfo=UTC)
    assert notice.stake_status is StakeStatus.PENDING
    assert notice.provider_stake_status == "confirmed"
    assert notice.action.kind is StakeActionKind.STAKE
    assert notice.action.status is ActionStatus.IN_PROGRESS
    assert notice.action.transaction_hash == "0xabc"
    assert notice.action.amount == Decimal("10.5")


def test_a_staked_event_makes_the_stake_active():
    headers, body = _signed(_stake_event("stake.staked"))
    assert verify_webhook(headers, body, SECRET, NOW).stake_status is StakeStatus.ACTIVE


def test_a_failed_event_carries_its_reason():
    headers, body = _signed(
        _stake_event("stake.failed", reason="pool_capacity_exceeded")
    )
    notice = verify_webhook(headers, body, SECRET, NOW)
    assert notice.stake_status is StakeStatus.FAILED
    assert notice.action.failure_reason == "pool_capacity_exceeded"


def test_a_beta_stake_confirmed_event_is_read_by_its_status():
    beta = {
        "event_type": "stake_confirmed",
        "event_id": "evt_234567890",
        "timestamp": "2026-03-02T11:55:00.123Z",
        "participant_code": "CUST01",
        "stake_id": "stake_123456",
        "status": "staked",
        "network_transaction_id": "0xabc123def456",
    }
    headers, body = _signed(beta)
    notice = verify_webhook(headers, body, SECRET, NOW)
    assert notice.event_type == "stake.confirmed"
    assert notice.stake_status is StakeStatus.ACTIVE
    assert notice.dedupe_key == "stake:stake_123456:staked"
    assert notice.action.transaction_hash == "0xabc123def456"


@pytest.mark.parametrize(
    ("kind", "status", "stake_status"),
    [
        ("full", "submitted", StakeStatus.UNBONDING),
        ("full", "unstaked", StakeStatus.WITHDRAWN),
        ("full", "canceled", StakeStatus.ACTIVE),
        ("partial", "unstaked", None),
    ],
)
def test_unstake_events_move_the_stake_only_when_full(kind, status, stake_status):
    payload = _stake_event(f"unstake.{status}", unstake_id="u-1", unstake_type=kind)
    headers, body = _signed(payload)
    notice = verify_webhook(headers, body, SECRET, NOW)
    assert notice.dedupe_key == f"unstake:u-1:{status}"
    assert notice.stake_status is stake_status
    assert notice.action.kind is StakeActionKind.UNSTAKE
    assert notice.action.provider_action_id == "u-1"
    assert notice.provider_stake_id == "stake-1"


@pytest.mark.parametrize(
    "status",
    ["submitted", "canceled", "broadcasted", "confirmed", "unstaked", "failed"],
)
def test_a_live_unstake_event_names_no_stake_and_is_keyed_by_its_unstake_id(status):
    # PROVIDERS.md 2.3: the payload carries `unstake_id` (not a stake_id).
    payload = _stake_event(f"unstake.{status}", unstake_id="u-2")
    del payload["stake_id"]
    headers, body = _signed(payload)
    notice = verify_webhook(headers, body, SECRET, NOW)
    assert notice.dedupe_key == f"unstake:u-2:{status}"
    assert notice.action.provider_action_id == "u-2"
    assert notice.action.kind is StakeActionKind.UNSTAKE
    assert notice.provider_stake_id is None
    assert notice.stake_status is None


def test_an_unstake_event_without_an_unstake_id_is_refused():
    payload = _stake_event("unstake.submitted")
    del payload["stake_id"]
    headers, body = _signed(payload)
    with pytest.raises(WebhookRejected):
        verify_webhook(headers, body, SECRET, NOW)


def test_a_beta_funds_available_event_is_an_unstaked_unstake():
    payload = {"event_type": "funds_available", "participant_code": "CUST01",
               "unstake_id": "u-9", "timestamp": "2026-03-02T11:00:00Z"}  # fmt: skip
    headers, body = _signed(payload)
    notice = verify_webhook(headers, body, SECRET, NOW)
    assert notice.dedupe_key == "unstake:u-9:unstaked"
    assert notice.action.status is ActionStatus.COMPLETED


def test_a_reward_event_becomes_a_reward_deduplicated_by_distribution():
    payload = {
        "event_type": "staking_reward.received",
        "timestamp": "2026-03-02T11:59:59.000Z",
        "occurred_at": "2026-03-02T11:00:00.000Z",
        "participant_code": "CUST01",
        "account_label": "general",
        "stake_id": "stake-1",
        "asset": "ETH",
        "distribution_id": "dist-1",
        "reward_amount": "0.00099863",
        "cumulative_rewards_amount": "0.01",
        "credited_at": "2026-03-02T11:00:00.000Z",
        "status": "credited",
    }
    headers, body = _signed(payload)
    notice = verify_webhook(headers, body, SECRET, NOW)
    assert notice.dedupe_key == "reward:dist-1"
    assert notice.stake_status is None
    reward = notice.reward
    assert (reward.provider_reward_id, reward.amount) == (
        "dist-1",
        Decimal("0.00099863"),
    )
    assert reward.cumulative is False
    assert reward.credited_at == datetime(2026, 3, 2, 11, tzinfo=UTC)


def test_a_beta_reward_received_event_is_read_with_its_apy_and_usd_value():
    payload = {
        "event_type": "reward_received", "event_id": "evt_345678901",
        "timestamp": "2026-03-02T11:00:00.123Z", "participant_code": "CUST01",
        "stake_id": "stake_123456", "reward_amount": "0.025", "asset": "ETH",
        "apy_at_time": "3.85", "reward_date": "2026-03-01",
        "validator_id": "validator_abc123", "usd_value": "83.25",
        "cumulative_rewards": "0.125",
    }  # fmt: skip
    headers, body = _signed(payload)
    notice = verify_webhook(headers, body, SECRET, NOW)
    assert notice.dedupe_key == "reward:stake_123456:2026-03-01"
    assert notice.reward.apy == Decimal("0.0385")
    assert notice.reward.usd_value == Decimal("83.25")


def test_header_names_are_read_case_insensitively():
    headers, body = _signed(_stake_event())
    shouting = {name.upper(): value for name, value in headers.items()}
    assert verify_webhook(shouting, body, SECRET, NOW).event_id == "n-1"


def _without(headers, name):
    return {k: v for k, v in headers.items() if k != name}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (_without(h, "x-zh-hook-signature"), b),
        lambda h, b: (_without(h, "x-zh-hook-timestamp"), b),
        lambda h, b: (_without(h, "x-zh-hook-notification-id"), b),
        lambda h, b: ({**h, "x-zh-hook-signature": "0" * 64}, b),
        lambda h, b: ({**h, "x-zh-hook-timestamp": "soon"}, b),
        lambda h, b: (h, b.replace(b"10.5", b"99.5")),
        lambda h, b: _signed(json.loads(b), secret="another-secret"),
        lambda h, b: _signed(json.loads(b), sent=NOW - timedelta(minutes=6)),
        lambda h, b: _signed(json.loads(b), sent=NOW + timedelta(minutes=6)),
        lambda h, b: _signed(b"not json"),
        lambda h, b: _signed(b"[1, 2]"),
        lambda h, b: _signed(_stake_event("stake.teleported")),
        lambda h, b: _signed({**_stake_event(), "status": "sleeping"}),
        lambda h, b: _signed(_without(_stake_event(), "stake_id")),
        lambda h, b: _signed({**_stake_event(), "amount": 10.5}),
    ],
    ids=[
        "no-signature", "no-timestamp", "no-notification-id", "bad-signature",
        "timestamp-text", "body-changed", "other-secret", "too-old", "too-new",
        "not-json", "not-object", "unknown-event", "unknown-status", "no-stake-id",
        "float-amount",
    ],
)  # fmt: skip
def test_anything_unsigned_stale_or_unreadable_is_rejected(tamper):
    headers, body = tamper(*_signed(_stake_event()))
    with pytest.raises(WebhookRejected) as rejected:
        verify_webhook(headers, body, SECRET, NOW)
    assert rejected.value.reason


def test_the_legacy_body_only_signature_alone_is_not_enough():
    headers, body = _signed(_stake_event())
    legacy = hmac.new(b"whsec-test", body, hashlib.sha256).hexdigest()
    headers = {
        **_without(headers, "x-zh-hook-signature"),
        "x-zh-hook-signature-256": legacy,
    }
    with pytest.raises(WebhookRejected):
        verify_webhook(headers, body, SECRET, NOW)


def test_the_window_is_configurable():
    headers, body = _signed(_stake_event(), sent=NOW - timedelta(minutes=6))
    notice = verify_webhook(headers, body, SECRET, NOW, tolerance=timedelta(minutes=10))
    assert notice.event_id == "n-1"
