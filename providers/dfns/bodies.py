"""Request bodies for Dfns writes, built from the common model's commands.

Whole units become minimum-unit strings here, exactly; what Dfns would refuse for a
reason we can see (too many decimals, a missing validator) is refused before sending.
"""

import re
from decimal import Decimal
from typing import Any

from gateway.domain.commands import AssetAmountSpec
from gateway.domain.enums import Provider, UserErrorCode
from providers.base import ProviderRejected
from providers.dfns.catalog import (
    AllocationProtocol,
    StakingProtocol,
    token_by_contract,
)
from providers.dfns.units import min_units_for_request

WALLET_ID = re.compile(r"^wa-[a-z0-9-]{1,61}$")
MAX_SLIPPAGE_BPS = 10_000


def rejected(
    message: str, *field: str, code: UserErrorCode = UserErrorCode.INVALID_INPUT
) -> ProviderRejected:
    return ProviderRejected(Provider.DFNS, code, message, field=field or None)


def check_wallet(owner: str) -> str:
    if not WALLET_ID.match(owner):
        raise rejected(f"{owner!r} is not a Dfns wallet id (wa-…)", "owner")
    return owner


def _with_external_id(body: dict[str, Any], external_id: str | None) -> dict[str, Any]:
    if external_id is not None:
        if not external_id:
            raise rejected("externalId must not be empty", "externalId")
        body["externalId"] = external_id
    return body


def stake_amount(protocol: StakingProtocol, amount: Decimal) -> str:
    units = min_units_for_request(
        amount, protocol.decimals, protocol.asset.symbol, "amount"
    )
    if protocol.min_amount is not None and amount < protocol.min_amount:
        raise rejected(
            f"the minimum {protocol.name} stake is "
            f"{protocol.min_amount} {protocol.asset.symbol}",
            "amount",
            code=UserErrorCode.BELOW_MINIMUM_STAKE,
        )
    return units


def check_writable(protocol: StakingProtocol) -> None:
    """Refuses, before sending, what the current API has no body for (Babylon)."""
    if protocol.closed_reason is not None:
        raise rejected(protocol.closed_reason, code=UserErrorCode.UNSUPPORTED_ACTION)


def create_stake_body(
    protocol: StakingProtocol,
    wallet_id: str,
    amount: Decimal,
    validator: str | None,
    external_id: str | None,
) -> dict[str, Any]:
    check_writable(protocol)
    body: dict[str, Any] = {
        "protocol": protocol.name,
        "walletId": check_wallet(wallet_id),
    }
    if protocol.staking_provider is not None:
        body["provider"] = protocol.staking_provider
    if protocol.validator_field is not None:
        if not validator:
            raise rejected(f"{protocol.name} stakes need a validator", "validator")
        body[protocol.validator_field] = validator
    elif validator:
        raise rejected(
            f"{protocol.name} stakes go through {protocol.staking_provider}; "
            "no validator can be chosen",
            "validator",
        )
    body["amount"] = stake_amount(protocol, amount)
    if protocol.duration_blocks is not None:
        body["duration"] = protocol.duration_blocks
    return _with_external_id(body, external_id)


def stake_action_body(
    protocol: StakingProtocol,
    kind: str,
    amount: Decimal | None,
    external_id: str | None,
) -> dict[str, Any]:
    check_writable(protocol)
    body: dict[str, Any] = {"protocol": protocol.name, "kind": kind}
    if amount is not None:
        body["amount"] = min_units_for_request(
            amount, protocol.decimals, protocol.asset.symbol, "amount"
        )
    return _with_external_id(body, external_id)


def _swap_leg(spec: AssetAmountSpec | None, field: str) -> dict[str, str]:
    if spec is None:
        raise rejected(f"0fns needs {field}", field)
    if spec.kind != "Erc20" or not spec.contract:
        raise rejected(f"{field} must be an Erc20 token with a contract", field)
    token = token_by_contract(spec.contract)
    if token is None:
        raise rejected(
            f"{field} contract {spec.contract} is not a token 0fns trades", field
        )
    amount = min_units_for_request(spec.amount, token.decimals, token.symbol, field)
    return {"kind": "Erc20", "contract": spec.contract, "amount": amount}


def allocation_fields(
    protocol: AllocationProtocol,
    *,
    source_asset: AssetAmountSpec | None,
    target_asset: AssetAmountSpec | None,
    slippage_bps: int | None,
    amount: Decimal | None,
) -> dict[str, Any]:
    """The protocol-specific part of an allocation or allocation-action body."""
    if protocol.is_swap:
        if amount is not None:
            raise rejected(
                "0fns trades sourceAsset for targetAsset; give no amount", "amount"
            )
        if slippage_bps is None or isinstance(slippage_bps, bool):
            raise rejected("0fns needs slippageBps", "slippageBps")
        if not 0 <= slippage_bps <= MAX_SLIPPAGE_BPS:
            raise rejected("slippageBps must be between 0 and 10000", "slippageBps")
        return {
            "sourceAsset": _swap_leg(source_asset, "sourceAsset"),
            "targetAsset": _swap_leg(target_asset, "targetAsset"),
            "slippageBps": slippage_bps,
        }
    if source_asset is not None or target_asset is not None or slippage_bps is not None:
        raise rejected(f"{protocol.name} takes an amount, not a swap", "sourceAsset")
    if amount is None:
        raise rejected(f"{protocol.name} needs an amount", "amount")
    token = protocol.token
    return {
        "amount": min_units_for_request(amount, token.decimals, token.symbol, "amount")
    }


def create_allocation_body(
    protocol: AllocationProtocol,
    wallet_id: str,
    external_id: str | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "walletId": check_wallet(wallet_id),
        "protocol": protocol.name,
    }
    _with_external_id(body, external_id)
    body.update(fields)
    return body


def allocation_action_body(
    kind: str, external_id: str | None, fields: dict[str, Any]
) -> dict[str, Any]:
    body = _with_external_id({"kind": kind}, external_id)
    body.update(fields)
    return body
