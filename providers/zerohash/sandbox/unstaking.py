"""The unstake endpoints: asset-level partial or full unstakes; cancels.

`POST /stakes/unstake` takes exactly what PROVIDERS.md 2.2 and the beta guide name:
participant, account label, asset, amount and `unstake_type`; any other field (a
`stake_id`, say) is refused with VALIDATION_FAILED naming it. The amount falls on the
asset's stakes oldest first (`providers.zerohash.unstakes`).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from providers.zerohash.sandbox import validation as v
from providers.zerohash.sandbox import views
from providers.zerohash.sandbox.assets import stakeable
from providers.zerohash.sandbox.errors import ZhError, not_found, validation_failed
from providers.zerohash.sandbox.records import UnstakeRec
from providers.zerohash.sandbox.state import FINAL, ZerohashState

Json = dict[str, Any]
UNSTAKE_TYPES = frozenset({"partial", "full"})
_BODY = {"participant_code", "account_label", "asset", "amount", "unstake_type"}


class Unstaking:
    def __init__(self, state: ZerohashState) -> None:
        self.state = state

    def create(self, body: Json, now: datetime) -> Json:
        v.fields(body, _BODY)
        p = self.state.participant(v.participant_code(body["participant_code"]), now)
        label = v.string(body, "account_label")
        if label not in p.accounts:
            raise validation_failed(
                f"account {label} does not exist", field="account_label"
            )
        spec = stakeable(v.string(body, "asset"))
        if spec is None:
            raise validation_failed("asset is not enabled for staking", field="asset")
        unstake_type = v.choice(
            v.string(body, "unstake_type"), "unstake_type", UNSTAKE_TYPES
        )
        amount = v.quantity(body["amount"], spec)
        positions = self.state.positions(p.code, label, spec.symbol)
        if not positions:
            on_its_way = [
                s.status
                for s in self.state.stakes.values()
                if s.participant_code == p.code
                and s.asset == spec.symbol
                and s.status in ("submitted", "broadcasted", "confirmed")
            ]
            raise validation_failed(
                "nothing of this asset is staked yet",
                field="asset",
                **({"stake_status": on_its_way[0]} if on_its_way else {}),
            )
        pending = [
            u
            for u in self.state.unstakes.values()
            if u.participant_code == p.code
            and u.account_label == label
            and u.asset == spec.symbol
            and u.status not in FINAL
        ]
        if any(u.unstake_type == "full" for u in pending):
            raise validation_failed("a full unstake of this asset is under way")
        available = sum((pos.capacity for pos in positions), Decimal(0))
        if unstake_type == "full":
            # A full unstake takes the whole position, whatever amount was named.
            amount = available
        if amount > available:
            raise ZhError(
                400,
                "INSUFFICIENT_BALANCE",
                "Staked balance insufficient for requested unstake amount",
                user_message=f"You can unstake at most {views.amount(available)}",
                details={
                    "asset": spec.symbol,
                    "requested": views.amount(amount),
                    "available": views.amount(available),
                },
            )
        unstake = self.state.submit_unstake(
            p, label, spec.symbol, amount, unstake_type or "partial", now
        )
        return views.unstake_view(unstake)

    def _unstake(self, unstake_id: str) -> UnstakeRec:
        unstake = self.state.unstakes.get(unstake_id)
        if unstake is None:
            raise not_found("unstake")
        return unstake

    def status(self, unstake_id: str) -> Json:
        return views.unstake_view(self._unstake(unstake_id))

    def cancel(self, unstake_id: str, body: Json, now: datetime) -> Json:
        v.fields(body, set())
        unstake = self._unstake(unstake_id)
        if unstake.status != "submitted":
            raise validation_failed(
                "an unstake can be canceled only before it is broadcast",
                current_status=unstake.status,
            )
        self.state.cancel_unstake(unstake, now)
        return views.unstake_view(unstake)
