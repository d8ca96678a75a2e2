"""What each sandbox endpoint does to the state, with Zerohash's business checks.

Handlers get a parsed JSON body or query and return the `message` of the answer (and a
`pagination` for lists); a refusal is a `ZhError` carrying Zerohash's error body.
"""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from providers.zerohash.sandbox import validation as v
from providers.zerohash.sandbox import views
from providers.zerohash.sandbox.assets import ASSETS, stakeable
from providers.zerohash.sandbox.errors import ZhError, not_found, validation_failed
from providers.zerohash.sandbox.participants import PROHIBITED_JURISDICTIONS
from providers.zerohash.sandbox.records import Participant, StakeRec
from providers.zerohash.sandbox.state import ZerohashState

Json = dict[str, Any]
Query = Mapping[str, str]
ACCOUNT_TYPES = frozenset({"available", "collateral", "staked"})
STAKE_STATUSES = frozenset(
    {"submitted", "broadcasted", "confirmed", "staked", "canceled", "failed"}
)
TERMS_VERSION = "v2.1"


class Operations:
    def __init__(self, state: ZerohashState) -> None:
        self.state = state

    def _participant(self, code: object, now: datetime) -> Participant:
        return self.state.participant(v.participant_code(code), now)

    def full_info(self, code: str, now: datetime) -> Json:
        return views.participant_view(self._participant(code, now))

    def accept_terms(self, code: str, body: Json, now: datetime) -> Json:
        p = self._participant(code, now)
        v.fields(body, {"signed_agreements"}, frozenset({"platform_updated_at"}))
        agreements = body["signed_agreements"]
        # The beta guide sends the bare string "staking"; the live API a list.
        if agreements == "staking":
            agreements = [{"type": "staking", "region": "us"}]
        if not isinstance(agreements, list) or not agreements:
            raise validation_failed(
                "signed_agreements must be a list", field="signed_agreements"
            )
        region = None
        for agreement in agreements:
            if not isinstance(agreement, dict):
                raise validation_failed("each signed agreement must be an object")
            v.fields(agreement, {"type"}, frozenset({"region", "signed_timestamp"}))
            signed_at = agreement.get("signed_timestamp")
            if signed_at is not None and (
                isinstance(signed_at, bool) or not isinstance(signed_at, int)
            ):
                raise validation_failed("signed_timestamp must be Unix milliseconds")
            if v.string(agreement, "type") == "staking":
                region = (
                    v.string(agreement, "region") if "region" in agreement else "us"
                )
        stamp = body.get("platform_updated_at")
        if stamp is not None and (
            isinstance(stamp, bool) or not isinstance(stamp, int)
        ):
            raise validation_failed("platform_updated_at must be Unix milliseconds")
        if region is not None and p.terms_accepted_at is None:
            p.terms_accepted_at, p.terms_region = now, region
        return {
            "participant_code": p.code,
            "staking_terms_accepted": p.terms_accepted_at is not None,
            "staking_terms_version": TERMS_VERSION,
            "accepted_at": views.opt_iso(p.terms_accepted_at),
        }

    def accounts(self, query: Query, now: datetime) -> tuple[list[Json], Json]:
        p = self._participant(
            query.get("account_owner") or query.get("participant_code"), now
        )
        kind = v.choice(query.get("account_type"), "account_type", ACCOUNT_TYPES)
        asset, label = query.get("asset"), query.get("account_label")
        rows = [
            views.account_view(p, lbl, sym, k, balances)
            for lbl, assets in sorted(p.accounts.items())
            for sym, balances in sorted(assets.items())
            for k in ("available", "collateral", "staked")
            if (kind is None or k == kind)
            and (asset is None or sym == asset)
            and (label is None or lbl == label)
        ]
        return v.page(rows, *v.page_params(query))

    def create_stake(self, body: Json, now: datetime) -> Json:
        v.fields(body, {"participant_code", "account_label", "asset", "amount"})
        p = self._participant(body["participant_code"], now)
        label = v.string(body, "account_label")
        spec = stakeable(v.string(body, "asset"))
        if spec is None:
            raise validation_failed("asset is not enabled for staking", field="asset")
        amount = v.quantity(body["amount"], spec)
        if label not in p.accounts:
            raise validation_failed(
                f"account {label} does not exist", field="account_label"
            )
        self._check_eligible(p, label, spec.symbol, amount)
        stake = self.state.submit_stake(p, label, spec.symbol, amount, now)
        return views.stake_view(stake)

    def _check_eligible(
        self, p: Participant, label: str, asset: str, amount: Decimal
    ) -> None:
        available = self.state.balances(p.code, label, asset).available
        restriction = {
            "pending_approval": "kyc_pending",
            "locked": "participant_locked",
        }
        checks = {
            "jurisdiction_allowed": p.jurisdiction_code not in PROHIBITED_JURISDICTIONS,
            "terms_accepted": p.terms_accepted_at is not None,
            "platform_restrictions": restriction.get(p.status, "none"),
            "sufficient_balance": available >= amount,
        }
        details = {
            "participant_code": p.code,
            "asset": asset,
            "validation_checks": checks,
        }
        if checks["platform_restrictions"] != "none":
            raise ZhError(
                400, "VALIDATION_FAILED", "Participant may not stake", details=details
            )
        if not checks["jurisdiction_allowed"]:
            raise ZhError(
                400,
                "JURISDICTION_RESTRICTED",
                "Staking not available in user's jurisdiction",
                user_message="Staking is not currently available in your location",
                details={**details, "jurisdiction": p.jurisdiction_code},
            )
        if not checks["terms_accepted"]:
            raise ZhError(
                400,
                "TERMS_NOT_ACCEPTED",
                "User must accept staking terms before proceeding",
                user_message="Please review and accept our staking terms",
                details=details,
            )
        if not checks["sufficient_balance"]:
            raise ZhError(
                400,
                "INSUFFICIENT_BALANCE",
                "Available balance insufficient for requested stake amount",
                user_message=f"You need at least {views.amount(amount)} {asset}",
                details={
                    **details,
                    "requested": views.amount(amount),
                    "available": views.amount(available),
                },
            )

    def _stake(self, stake_id: str) -> StakeRec:
        stake = self.state.stakes.get(stake_id)
        if stake is None:
            raise not_found("stake")
        return stake

    def stake_status(self, stake_id: str) -> Json:
        stake = self._stake(stake_id)
        return views.stake_view(stake)

    def cancel_stake(self, stake_id: str, body: Json, now: datetime) -> Json:
        v.fields(body, set())
        stake = self._stake(stake_id)
        if stake.status != "submitted":
            raise validation_failed(
                "a stake can be canceled only before it is broadcast",
                current_status=stake.status,
            )
        self.state.cancel_stake(stake, now)
        return views.stake_view(stake)

    def list_stakes(self, code: str, query: Query, now: datetime) -> tuple[Json, Json]:
        p = self._participant(code, now)
        status = v.choice(query.get("status"), "status", STAKE_STATUSES)
        asset = query.get("asset")
        stakes = [
            s
            for s in self.state.stakes.values()
            if s.participant_code == p.code
            and (status is None or s.status == status)
            and (asset is None or s.asset == asset)
        ]
        stakes.sort(key=lambda s: s.created_at, reverse=True)
        shown, pagination = v.page(stakes, *v.page_params(query))
        message = {
            "stakes": [views.stake_view(s) for s in shown],
            "consolidated_view": _consolidated(stakes),
        }
        return message, pagination

    def rewards(self, code: str, query: Query, now: datetime) -> tuple[Json, Json]:
        p = self._participant(code, now)
        start = v.iso_date(query.get("start_date"), "start_date")
        end = v.iso_date(query.get("end_date"), "end_date")
        asset, stake_id = query.get("asset"), query.get("stake_id")
        rows = [
            r
            for r in reversed(self.state.rewards)
            if r.participant_code == p.code
            and (asset is None or r.asset == asset)
            and (stake_id is None or r.stake_id == stake_id)
            and (start is None or r.reward_date >= start)
            and (end is None or r.reward_date <= end)
        ]
        shown, pagination = v.page(rows, *v.page_params(query))
        apys = [r.apy for r in rows]
        summary = {
            "total_rewards": views.amount(sum((r.amount for r in rows), Decimal(0))),
            "total_rewards_usd": views.usd(
                sum((r.usd_value for r in rows), Decimal(0))
            ),
            "average_apy": views.amount(sum(apys, Decimal(0)) / len(apys))
            if apys
            else "0",
            "reward_frequency": "daily",
        }
        return {
            "rewards": [views.reward_view(r) for r in shown],
            "summary": summary,
        }, pagination


def _consolidated(stakes: list[StakeRec]) -> Json:
    staked = [s for s in stakes if s.status == "staked" and s.closed_at is None]
    price = {s: ASSETS[s].price_usd for s in ASSETS}
    return {
        "total_staked_usd": views.usd(
            sum((s.current_quantity * price[s.asset] for s in staked), Decimal(0))
        ),
        "total_rewards_earned_usd": views.usd(
            sum((s.total_rewards * price[s.asset] for s in stakes), Decimal(0))
        ),
        "assets_staked": sorted({s.asset for s in staked}),
        "average_apy": views.amount(
            sum((s.apy for s in staked), Decimal(0)) / len(staked)
            if staked
            else Decimal(0)
        ),
    }
