"""The Zerohash staking adapter: the common model's operations on Zerohash's API.

Owner = participant code. A stake request is a `Stake`; mutations reuse one X-REQUEST-ID
across retries, derived from the caller's external id when there is one, so a retry from
a restarted gateway is replayed by Zerohash rather than acted on twice.
"""

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx

from gateway.domain.commands import (
    CreateStake,
    CreateStakeAction,
    StakeActionResult,
    Unstake,
)
from gateway.domain.enums import Provider, StakeActionKind, UserErrorCode
from gateway.domain.errors import UserError
from gateway.domain.models import Reward, Stake, StakeAction, StakingProduct
from providers.base import ProviderError, ProviderRejected
from providers.zerohash.client import ZerohashClient
from providers.zerohash.config import ZerohashConfig
from providers.zerohash.mapping import (
    product_from_info,
    reward_from_record,
    stake_from_record,
    unstake_action,
)
from providers.zerohash.models import StakeRecord
from providers.zerohash.rules import eligibility_errors

PROVIDER = Provider.ZEROHASH
# Namespace of request ids derived from external ids: fixed, so ids survive restarts.
REQUEST_ID_NAMESPACE = uuid.UUID("6f1f3c1e-27d5-4f0b-9a43-5e0a3d1f7c21")


def request_id(operation: str, owner: str, external_id: str | None) -> str:
    if external_id is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(REQUEST_ID_NAMESPACE, f"{operation}:{owner}:{external_id}"))


def _amount(value: Decimal) -> str:
    # Plain notation: Zerohash reads "100", not "1E+2".
    return format(Decimal(value), "f")


def _rejected(code: UserErrorCode, message: str, *field: str) -> ProviderRejected:
    return ProviderRejected(PROVIDER, code, message, field=field or None)


class ZerohashAdapter:
    provider = PROVIDER
    # Rewards are their own list (daily distributions), not part of a stake.
    rewards_travel_with_stakes = False

    def __init__(
        self,
        client: httpx.AsyncClient,
        config: ZerohashConfig,
        *,
        retry_attempts: int = 3,
        retry_base_delay: float = 0.25,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._wall_clock = wall_clock
        self._api = ZerohashClient(
            client,
            config,
            attempts=retry_attempts,
            retry_base_delay=retry_base_delay,
            wall_clock=wall_clock,
        )

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._wall_clock(), UTC)

    def _stake(self, record: StakeRecord) -> Stake:
        return stake_from_record(record, as_of=self._now())

    async def list_products(self) -> Sequence[StakingProduct]:
        assets = await self._api.stakeable_assets()
        infos = await asyncio.gather(*(self._api.staking_info(a.asset) for a in assets))
        return [
            product_from_info(info, asset)
            for asset, info in zip(assets, infos, strict=True)
        ]

    async def list_stakes(self, owners: Sequence[str]) -> Sequence[Stake]:
        unique = list(dict.fromkeys(owners))
        pages = await asyncio.gather(*(self._api.stakes(owner) for owner in unique))
        return [
            self._stake(record)
            for owner, records in zip(unique, pages, strict=True)
            for record in records
            # Another participant's stake in this list is not shown to this one.
            if record.participant_code == owner
        ]

    async def get_stake(self, owner: str, provider_stake_id: str) -> Stake | None:
        record = await self._api.stake(provider_stake_id)
        if record is None or record.participant_code != owner:
            return None
        return self._stake(record)

    async def list_rewards(self, owners: Sequence[str]) -> Sequence[Reward]:
        unique = list(dict.fromkeys(owners))
        lists = await asyncio.gather(*(self.list_reward_history(o) for o in unique))
        return [reward for rewards in lists for reward in rewards]

    async def list_reward_history(
        self,
        owner: str,
        *,
        asset: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Reward]:
        params: dict[str, str | int] = {}
        if asset is not None:
            params["asset"] = asset
        if since is not None:
            params["start_date"] = since.isoformat()[:10]
        if until is not None:
            params["end_date"] = until.isoformat()[:10]
        records = await self._api.rewards(owner, params)
        return [reward_from_record(r, owner) for r in records]

    async def create_stake(self, command: CreateStake) -> StakeActionResult:
        product = command.product
        if product.provider is not PROVIDER:
            raise _rejected(
                UserErrorCode.INVALID_INPUT, "Not a Zerohash product.", "product"
            )
        if command.validator is not None:
            raise _rejected(
                UserErrorCode.INVALID_INPUT,
                "Zerohash chooses the validator.",
                "validator",
            )
        body = {
            "participant_code": command.owner,
            "account_label": self._config.account_label,
            "asset": product.provider_product_id,
            "amount": _amount(command.amount),
        }
        rid = request_id("stake", command.owner, command.external_id)
        stake = self._stake(await self._api.create_stake(body, rid))
        action = dataclasses.replace(stake.actions[0], external_id=command.external_id)
        stake = dataclasses.replace(stake, actions=(action, *stake.actions[1:]))
        return StakeActionResult(stake=stake, action=action)

    async def unstake(self, command: Unstake) -> StakeActionResult:
        stake = command.stake
        full = command.amount is None
        amount = command.amount
        if amount is None:
            amount = (
                stake.current_amount
                if stake.current_amount is not None
                else stake.amount
            )
        body = {
            "participant_code": command.owner,
            "account_label": self._config.account_label,
            "asset": stake.asset.symbol,
            "amount": _amount(amount),
            "unstake_type": "full" if full else "partial",
            "stake_id": stake.provider_stake_id,
        }
        rid = request_id("unstake", command.owner, command.external_id)
        record = await self._api.unstake(body, rid)
        action = unstake_action(record, command.owner, stake.provider_stake_id)
        action = dataclasses.replace(action, external_id=command.external_id)
        return StakeActionResult(
            stake=await self._refetch(command.owner, stake.provider_stake_id),
            action=action,
        )

    async def _refetch(self, owner: str, stake_id: str) -> Stake | None:
        # The request is done; failing to re-read the stake must not report it failed.
        try:
            return await self.get_stake(owner, stake_id)
        except ProviderError:
            return None

    async def create_stake_action(
        self, command: CreateStakeAction
    ) -> StakeActionResult:
        if command.kind is StakeActionKind.UNSTAKE:
            return await self.unstake(
                Unstake(
                    command.owner, command.stake, command.amount, command.external_id
                )
            )
        if command.kind is not StakeActionKind.CANCEL:
            raise _rejected(
                UserErrorCode.UNSUPPORTED_ACTION,
                "Zerohash stakes support UNSTAKE and CANCEL, "
                f"not {command.kind.value}.",
                "kind",
            )
        return await self._cancel(command)

    async def _cancel(self, command: CreateStakeAction) -> StakeActionResult:
        stake_id = command.stake.provider_stake_id
        record = await self._api.stake(stake_id)
        if record is None or record.participant_code != command.owner:
            raise _rejected(UserErrorCode.NOT_FOUND, "No such Zerohash stake.", "stake")
        rid = request_id("cancel", command.owner, command.external_id)
        pending = [u for u in record.unstakes if u.status.lower() == "submitted"]
        action: StakeAction
        if pending:
            latest = max(pending, key=lambda u: u.created_at)
            canceled = await self._api.cancel_unstake(latest.unstake_id, rid)
            action = unstake_action(canceled, command.owner, stake_id)
            stake = await self._refetch(command.owner, stake_id)
        elif record.status.lower() == "submitted":
            stake = self._stake(await self._api.cancel_stake(stake_id, rid))
            action = stake.actions[0]
        else:
            raise _rejected(
                UserErrorCode.INVALID_INPUT,
                "Only a request not yet broadcast can be canceled.",
                "kind",
            )
        return StakeActionResult(stake=stake, action=action)

    async def accept_terms(self, owner: str) -> None:
        now_ms = int(self._wall_clock() * 1000)
        await self._api.accept_terms(
            owner,
            region=self._config.agreement_region,
            now_ms=now_ms,
            request_id=request_id("terms", owner, None),
        )

    async def check_eligibility(
        self, owner: str, product: StakingProduct, amount: Decimal
    ) -> Sequence[UserError]:
        participant, balances = await asyncio.gather(
            self._api.participant(owner),
            self._api.balances(owner, asset=product.provider_product_id),
        )
        return eligibility_errors(
            participant, balances, product, amount, self._config.account_label
        )

    async def health_check(self) -> None:
        await self._api.server_time()
