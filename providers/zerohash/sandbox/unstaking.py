"""The unstake endpoints: partial or full unstakes of a staked position; cancels."""

from datetime import datetime
from typing import Any

from providers.zerohash.sandbox import validation as v
from providers.zerohash.sandbox import views
from providers.zerohash.sandbox.assets import ASSETS
from providers.zerohash.sandbox.errors import ZhError, not_found, validation_failed
from providers.zerohash.sandbox.records import UnstakeRec
from providers.zerohash.sandbox.state import FINAL, ZerohashState

Json = dict[str, Any]
UNSTAKE_TYPES = frozenset({"partial", "full"})
_BODY = {"participant_code", "account_label", "asset", "unstake_type", "stake_id"}


class Unstaking:
    def __init__(self, state: ZerohashState) -> None:
        self.state = state

    def create(self, body: Json, now: datetime) -> Json:
        v.fields(body, _BODY, frozenset({"amount"}))
        code = v.participant_code(body["participant_code"])
        stake = self.state.stakes.get(v.string(body, "stake_id"))
        # Another participant's stake is as unknown as a stake that does not exist.
        if stake is None or stake.participant_code != code:
            raise not_found("stake")
        unstake_type = v.choice(
            v.string(body, "unstake_type"), "unstake_type", UNSTAKE_TYPES
        )
        if v.string(body, "account_label") != stake.account_label:
            raise validation_failed(
                "account_label is not the stake's", field="account_label"
            )
        if v.string(body, "asset") != stake.asset:
            raise validation_failed("asset is not the stake's asset", field="asset")
        spec = ASSETS[stake.asset]
        amount = None
        if "amount" in body:
            amount = v.quantity(body["amount"], spec)
        elif unstake_type == "partial":
            raise validation_failed(
                "amount is required for a partial unstake", field="amount"
            )
        if stake.status != "staked" or stake.closed_at is not None:
            raise validation_failed(
                "only a staked position can be unstaked", stake_status=stake.status
            )
        unstakes = self.state.unstakes_of(stake)
        if any(u.unstake_type == "full" and u.status not in FINAL for u in unstakes):
            raise validation_failed("a full unstake of this stake is under way")
        available = self.state.unstakeable(stake)
        if unstake_type == "full":
            # A full unstake takes the whole position, whatever amount was named.
            amount = available
        assert amount is not None
        if amount <= 0 or amount > available:
            raise ZhError(
                400,
                "INSUFFICIENT_BALANCE",
                "Staked balance insufficient for requested unstake amount",
                user_message=f"You can unstake at most {views.amount(available)}",
                details={
                    "asset": stake.asset,
                    "requested": views.amount(amount),
                    "available": views.amount(available),
                },
            )
        unstake = self.state.submit_unstake(
            stake, amount, unstake_type or "partial", now
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
