"""Sandbox state as Dfns JSON: stakes, stake actions, allocations, asset amounts."""

from datetime import UTC, datetime
from typing import Any

from providers.dfns.sandbox.allocations import (
    SandboxAllocation,
    SandboxAllocationAction,
)
from providers.dfns.sandbox.ids import hex_from
from providers.dfns.sandbox.protocols import ChainAsset
from providers.dfns.sandbox.stakes import SandboxStake, SandboxStakeAction

Json = dict[str, Any]

# Bitcoin blocks per simulated hour, for Babylon's lock height.
_BLOCK_MINUTES = 10
_GENESIS = datetime(2024, 1, 1, tzinfo=UTC)


def iso(at: datetime) -> str:
    """Dfns dates: ISO 8601, UTC, milliseconds, `Z`."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _block(at: datetime) -> int:
    return 840_000 + int((at - _GENESIS).total_seconds()) // (_BLOCK_MINUTES * 60)


def _stake_data(stake: SandboxStake) -> Json | None:
    protocol, request = stake.rules.protocol, stake.request
    # While Staking, what is being staked; afterwards what is.
    amount = str(request.amount if stake.status == "Staking" else stake.staked)
    if protocol == "Ethereum":
        if stake.activated_at is None:
            return None
        return {
            "validator": {
                "pubkey": "0x" + hex_from(stake.id, 96),
                "withdrawalAddress": "0x" + hex_from(stake.wallet_id, 40),
            }
        }
    if protocol == "Iota":
        objects = (
            [{"id": "0x" + hex_from(stake.id, 64), "amount": amount}]
            if stake.staked
            else []
        )
        return {
            "kind": "LockedIota" if request.locked else "Iota",
            "stakedObjects": objects,
            "amount": amount,
            "validator": request.validator,
        }
    if protocol == "Xdc":
        data: Json = {"candidate": request.validator, "amount": amount}
        if stake.activated_at is not None:
            data["proposeBlockNumber"] = _block(stake.activated_at)
        return data
    return {
        "finalityProviders": [hex_from("fp:" + stake.id, 64)],
        "covenantPubkeys": [hex_from(f"cov:{i}", 66) for i in range(3)],
        "magicBytes": "62627434",
        "covenantThreshold": 2,
        "minUnbondingTime": 1_008,
        "lockHeight": _block(stake.created_at) + (request.duration or 0),
    }


def stake_action_json(action: SandboxStakeAction, requester: Json) -> Json:
    body: Json = {
        "id": action.id,
        "stakeId": action.stake_id,
        "status": action.status,
        "kind": action.kind,
        "requester": requester,
        "requestBody": action.request_body,
        "dateCreated": iso(action.created_at),
    }
    if action.transaction_hash is not None:
        body["transactionHash"] = action.transaction_hash
    if action.failure_reason is not None:
        body["failureReason"] = action.failure_reason
    return body


def stake_json(
    stake: SandboxStake, requester: Json, *, with_actions: bool = True
) -> Json:
    body: Json = {
        "id": stake.id,
        "walletId": stake.wallet_id,
        "status": stake.status,
        "requester": requester,
        "requestBody": stake.request.body,
        "dateCreated": iso(stake.created_at),
        "protocol": stake.rules.protocol,
        "data": _stake_data(stake),
    }
    if stake.rules.provider is not None:
        body["provider"] = stake.rules.provider
    if with_actions:
        body["actions"] = [stake_action_json(a, requester) for a in stake.actions]
    return body


def asset_json(asset: ChainAsset, amount: int) -> Json:
    body: Json = {"kind": asset.kind, "amount": str(amount)}
    if asset.contract is not None:
        body["contract"] = asset.contract
    tid = f"erc20:{asset.contract}" if asset.contract else asset.network.lower()
    body["metadata"] = {
        "network": asset.network,
        "name": asset.name,
        "symbol": asset.symbol,
        "decimals": asset.decimals,
        "tid": tid,
    }
    return body


def allocation_action_json(action: SandboxAllocationAction, requester: Json) -> Json:
    body: Json = {
        "id": action.id,
        "allocationId": action.allocation_id,
        "kind": action.kind,
        "status": action.status,
        "requester": requester,
        "requestBody": action.movement.body,
        "dateCreated": iso(action.created_at),
    }
    if action.movement.external_id is not None:
        body["externalId"] = action.movement.external_id
    if action.failure_reason is not None:
        body["failureReason"] = action.failure_reason
    return body


def allocation_json(
    allocation: SandboxAllocation,
    requester: Json,
    now: datetime,
    *,
    with_actions: bool = True,
) -> Json:
    position = allocation.rules.position
    body: Json = {
        "id": allocation.id,
        "walletId": allocation.wallet_id,
        "protocol": allocation.rules.protocol,
        "provider": allocation.rules.provider,
        "amount": asset_json(position, allocation.position),
        "rewards": asset_json(position, allocation.accrual.earned(now)),
        "dateCreated": iso(allocation.created_at),
    }
    if with_actions:
        body["actions"] = [
            allocation_action_json(a, requester) for a in allocation.actions
        ]
    return body
