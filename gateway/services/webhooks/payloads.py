"""The JSON a client's endpoint receives: the event id, its type, the status-history
cursor, and the stake's common fields (camelCase, as the GraphQL schema names them).

Amounts are exact decimal strings and times UTC ISO 8601, as in GraphQL answers.
"""

import base64
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from gateway.domain.enums import Provider
from gateway.domain.history import EntityKind, StatusEvent
from gateway.domain.models import Approval, Asset, Reward, Stake, StakeAction
from gateway.domain.webhooks import WebhookEventType
from gateway.services.codec import loads


def node_id(
    type_name: str, provider: Provider, owner: str, key: str, parent: str | None = None
) -> str:
    """The global id GraphQL gives the same object (gateway.schema.ids.NodeId)."""
    parts = [type_name, provider.value, owner, key]
    if parent is not None:
        parts.append(parent)
    return base64.urlsafe_b64encode(orjson.dumps(parts)).decode().rstrip("=")


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _asset(asset: Asset) -> dict[str, Any]:
    return {
        "symbol": asset.symbol,
        "network": asset.network,
        "decimals": asset.decimals,
        "contract": asset.contract,
    }


def stake_fields(stake: Stake) -> dict[str, Any]:
    validator = stake.validator
    return {
        "id": node_id("Stake", stake.provider, stake.owner, stake.provider_stake_id),
        "provider": stake.provider.value,
        "providerStakeId": stake.provider_stake_id,
        "owner": stake.owner,
        "status": stake.status.value,
        "providerStatus": stake.provider_status,
        "asset": _asset(stake.asset),
        "protocol": stake.protocol,
        "amount": _amount(stake.amount),
        "currentAmount": _amount(stake.current_amount),
        "apy": _amount(stake.apy),
        "rewardsEarned": _amount(stake.rewards_earned),
        "validator": None
        if validator is None
        else {
            "provider": validator.provider,
            "id": validator.id,
            "commissionRate": _amount(validator.commission_rate),
        },
        "createdAt": _time(stake.created_at),
        "activatedAt": _time(stake.activated_at),
        "redeemableAt": _time(stake.redeemable_at),
        "closedAt": _time(stake.closed_at),
        "dataAsOf": _time(stake.data_as_of),
        "availableActions": [a.value for a in stake.available_actions],
    }


def action_fields(action: StakeAction) -> dict[str, Any]:
    return {
        "id": node_id(
            "StakeAction",
            action.provider,
            action.owner,
            action.provider_action_id,
            action.provider_stake_id,
        ),
        "provider": action.provider.value,
        "providerActionId": action.provider_action_id,
        "kind": action.kind.value,
        "status": action.status.value,
        "providerStatus": action.provider_status,
        "amount": _amount(action.amount),
        "transactionHash": action.transaction_hash,
        "failureReason": action.failure_reason,
        "externalId": action.external_id,
        "createdAt": _time(action.created_at),
        "estimatedCompletionAt": _time(action.estimated_completion_at),
        "approval": _approval(action.approval),
    }


def _approval(approval: Approval | None) -> dict[str, Any] | None:
    if approval is None:
        return None
    return {
        "state": approval.state.value,
        "required": approval.required,
        "received": approval.received,
        "expiresAt": _time(approval.expires_at),
    }


def reward_fields(reward: Reward) -> dict[str, Any]:
    return {
        "id": node_id(
            "Reward",
            reward.provider,
            reward.owner,
            reward.provider_reward_id,
            reward.provider_stake_id,
        ),
        "provider": reward.provider.value,
        "providerRewardId": reward.provider_reward_id,
        "asset": _asset(reward.asset),
        "amount": _amount(reward.amount),
        "cumulative": reward.cumulative,
        "creditedAt": _time(reward.credited_at),
        "apy": _amount(reward.apy),
        "usdValue": _amount(reward.usd_value),
        "validatorId": reward.validator_id,
    }


def ordering_key(event: StatusEvent) -> str:
    """Deliveries about one stake go out in order; its actions and rewards with it."""
    stake = event.provider_stake_id or event.entity_id
    return f"{event.provider.value}:{stake}"


def event_body(
    event_id: str,
    event_type: WebhookEventType,
    event: StatusEvent,
    stake_payload: str | None,
    created_at: datetime,
) -> str:
    """The delivery for one status-history row; `stake_payload` is the stake as last
    recorded (the event itself, for a stake event)."""
    if event.entity_kind is EntityKind.STAKE:
        stake_payload = event.payload
    stake = None if stake_payload is None else loads(Stake, stake_payload)
    data: dict[str, Any] = {
        "stake": None if stake is None else stake_fields(stake),
        "occurredAt": _time(event.occurred_at),
        "source": event.source.value,
    }
    if event.entity_kind is EntityKind.REWARD:
        data["reward"] = reward_fields(loads(Reward, event.payload))
    else:
        data["previousStatus"] = event.from_status
        data["status"] = event.to_status
        data["providerStatus"] = event.provider_status
        # action.stuck: nothing moved, the action stood in that status too long.
        if event.stuck:
            data["stuck"] = True
    if event.entity_kind is EntityKind.ACTION:
        data["action"] = action_fields(loads(StakeAction, event.payload))
    return orjson.dumps(
        {
            "id": event_id,
            "type": event_type.value,
            "createdAt": _time(created_at),
            "cursor": str(event.cursor),
            "data": data,
        }
    ).decode()


def ping_body(event_id: str, endpoint_id: str, created_at: datetime) -> str:
    return orjson.dumps(
        {
            "id": event_id,
            "type": WebhookEventType.PING.value,
            "createdAt": _time(created_at),
            "cursor": None,
            "data": {"endpointId": endpoint_id},
        }
    ).decode()
