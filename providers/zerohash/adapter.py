"""The Zerohash staking adapter: the common model's operations on Zerohash's API.

Owner = participant code. A stake request is a `Stake`; mutations reuse one X-REQUEST-ID
across retries, derived from the caller's external id when there is one, so a retry from
a restarted gateway is replayed by Zerohash rather than acted on twice.
"""

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
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
from providers.zerohash import parsing as p
from providers.zerohash.client import ZerohashClient
from providers.zerohash.config import ZerohashConfig
from providers.zerohash.mapping import (
    product_from_info,
    reward_from_record,
    stake_from_record,
)
from providers.zerohash.models import StakeRecord, UnstakeRecord
from providers.zerohash.rules import eligibility_errors
from providers.zerohash.unstake_book import UnstakeBook

PROVIDER = Provider.ZEROHASH
# The fields without which a create answer is "thin": read as an id, then a status.
_STAKE_RECORD_FIELDS = frozenset(
    {"stake_id", "participant_code", "asset", "quantity", "status", "created_at"}
)
_UNSTAKE_RECORD_FIELDS = frozenset({"unstake_id", "amount", "status", "created_at"})
# Namespace of request ids derived from external ids: fixed, so ids survive restarts.
REQUEST_ID_NAMESPACE = uuid.UUID("6f1f3c1e-27d5-4f0b-9a43-5e0a3d1f7c21")


def request_id(operation: str, owner: str, external_id: str | None) -> str:
    """A UUID v4, as Zerohash documents X-REQUEST-ID (PROVIDERS.md 2.1, 2.4).

    With an external id it is derived: the SHA-1 bits of a name-based UUID with the
    version and variant bits of v4 set, so the same call gets the same id after a
    restart while still being a well-formed v4.
    """
    if external_id is None:
        return str(uuid.uuid4())
    derived = uuid.uuid5(REQUEST_ID_NAMESPACE, f"{operation}:{owner}:{external_id}")
    return str(uuid.UUID(bytes=derived.bytes, version=4))


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
        self._book = UnstakeBook()

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
        await self._refresh_unstakes(unique)
        return [
            stake
            for owner, records in zip(unique, pages, strict=True)
            # Another participant's stake in this list is not shown to this one.
            for stake in self._decorate(
                owner, [r for r in records if r.participant_code == owner]
            )
        ]

    async def get_stake(self, owner: str, provider_stake_id: str) -> Stake | None:
        record = await self._api.stake(provider_stake_id)
        if record is None or record.participant_code != owner:
            return None
        records = [record]
        if self._book.live(owner, record.asset):
            # The rule needs the asset's other stakes to place the unstakes' shares.
            await self._refresh_unstakes([owner])
            records = [
                r
                for r in await self._api.stakes(owner)
                if r.participant_code == owner and r.asset == record.asset
            ]
        for stake in self._decorate(owner, records):
            if stake.provider_stake_id == provider_stake_id:
                return stake
        return None

    async def _refresh_unstakes(self, owners: Sequence[str]) -> None:
        """Polls `GET /stakes/unstake/{id}/status` for each tracked unstake under way."""
        tracked = [t for o in owners for t in self._book.in_flight(o)]
        fresh = await asyncio.gather(
            *(self._api.unstake_status(t.unstake_id) for t in tracked),
            return_exceptions=True,
        )
        for entry, record in zip(tracked, fresh, strict=True):
            if isinstance(record, UnstakeRecord):
                self._book.update(entry.unstake_id, record)
            elif isinstance(record, BaseException) and not isinstance(
                record, ProviderError
            ):
                raise record

    def _decorate(self, owner: str, records: Sequence[StakeRecord]) -> list[Stake]:
        placed = self._book.place(owner, records)
        return [
            stake_from_record(
                r,
                as_of=self._now(),
                unbonding=placed.unbonding.get(r.stake_id, ()),
                unstake_actions=placed.actions.get(r.stake_id, ()),
            )
            for r in records
        ]

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
        answer = await self._api.create_stake(body, rid)
        record = await self._submitted_stake(answer, body)
        stake = self._stake(record)
        action = dataclasses.replace(stake.actions[0], external_id=command.external_id)
        stake = dataclasses.replace(stake, actions=(action, *stake.actions[1:]))
        return StakeActionResult(stake=stake, action=action)

    async def _submitted_stake(
        self, answer: Mapping[str, object], body: Mapping[str, str]
    ) -> StakeRecord:
        """The stake a `POST /stakes` answer names, even when the answer is thin.

        The beta guide answers with the full record, read strictly (a garbled record
        is a protocol error). An answer missing some of its fields is read as its
        `stake_id`, then the stake's status is fetched. The stake was submitted, so a
        failing fetch is answered with what was sent, as `submitted`.
        """
        if _STAKE_RECORD_FIELDS <= answer.keys():
            return StakeRecord.from_json(answer)
        stake_id = p.text(answer, "stake_id")  # no id at all: a protocol error
        try:
            fetched = await self._api.stake(stake_id)
        except ProviderError:
            fetched = None
        if fetched is not None:
            return fetched
        now = self._now()
        return StakeRecord(
            stake_id=stake_id,
            participant_code=body["participant_code"],
            asset=body["asset"],
            quantity=Decimal(body["amount"]),
            current_quantity=None,
            status="submitted",
            apy=None,
            total_rewards_earned=None,
            created_at=now,
            activated_at=None,
            updated_at=now,
            estimated_activation_time=None,
            validator=None,
            tx_hash=None,
            reason=None,
        )

    async def unstake(self, command: Unstake) -> StakeActionResult:
        """`unstake(stakeId, amount)` as Zerohash's asset-level unstake.

        The body names the stake's participant, the configured account label, the
        stake's asset, the amount (the stake's current amount when none is given) and
        `unstake_type` "partial": a "full" unstake would take every stake of the asset,
        not only this one. No `stake_id`: the API has none. The returned `unstake_id` is
        the action's id; how the unstake shows on the asset's stakes is the rule in
        `providers.zerohash.unstakes` (oldest stakes first).
        """
        stake = command.stake
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
            "unstake_type": "partial",
        }
        rid = request_id("unstake", command.owner, command.external_id)
        answer = await self._api.unstake(body, rid)
        record = await self._submitted_unstake(answer, body)
        self._book.track(
            command.owner,
            stake.asset.symbol,
            record,
            named_stake_id=stake.provider_stake_id,
            external_id=command.external_id,
        )
        # Place the new unstake's shares on the stakes as they are now.
        fresh = await self._refetch(command.owner, stake.provider_stake_id)
        action = self._book.action(record.unstake_id)
        return StakeActionResult(stake=fresh, action=action)

    async def _submitted_unstake(
        self, answer: Mapping[str, object], body: Mapping[str, str]
    ) -> UnstakeRecord:
        """As `_submitted_stake`, for `POST /stakes/unstake` and its `unstake_id`."""
        if _UNSTAKE_RECORD_FIELDS <= answer.keys():
            return UnstakeRecord.from_json(answer)
        unstake_id = p.text(answer, "unstake_id")
        try:
            fetched = await self._api.unstake_status(unstake_id)
        except ProviderError:
            fetched = None
        if fetched is not None:
            return fetched
        now = self._now()
        return UnstakeRecord(
            unstake_id=unstake_id,
            stake_id=None,
            asset=body["asset"],
            amount=Decimal(body["amount"]),
            unstake_type=body["unstake_type"],
            status="submitted",
            cooldown_period_days=None,
            estimated_available_at=None,
            created_at=now,
            updated_at=now,
            tx_hash=None,
            reason=None,
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

    async def cancel_unstake(
        self, owner: str, unstake_id: str, external_id: str | None = None
    ) -> StakeAction:
        """`POST /stakes/unstake/{unstake_id}/cancel`: allowed before broadcast only."""
        rid = request_id("cancel", owner, external_id or unstake_id)
        record = await self._api.cancel_unstake(unstake_id, rid)
        if not self._book.knows(unstake_id):
            self._book.track(
                owner, record.asset or "", record, named_stake_id=record.stake_id
            )
        self._book.update(unstake_id, record)
        return self._book.action(unstake_id)

    async def _cancel(self, command: CreateStakeAction) -> StakeActionResult:
        stake_id = command.stake.provider_stake_id
        record = await self._api.stake(stake_id)
        if record is None or record.participant_code != command.owner:
            raise _rejected(UserErrorCode.NOT_FOUND, "No such Zerohash stake.", "stake")
        await self._refresh_unstakes([command.owner])
        pending = self._book.submitted_on(command.owner, stake_id)
        action: StakeAction
        if pending is not None:
            action = await self.cancel_unstake(
                command.owner, pending, command.external_id
            )
            stake = await self._refetch(command.owner, stake_id)
        elif record.status.lower() == "submitted":
            rid = request_id("cancel", command.owner, command.external_id)
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
