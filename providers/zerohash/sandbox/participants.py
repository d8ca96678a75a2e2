"""Who a participant is, from its code alone (sandbox conventions).

A code starting with PEND is still in KYC review, RESTR is locked (restricted), NJ sits
in New Jersey (where staking is prohibited); FAIL has its stakes fail on chain, EXITFAIL
its unstakes. Everyone else is an approved participant in New York. None has accepted
the staking terms yet.
"""

from datetime import datetime
from decimal import Decimal

from providers.zerohash.sandbox.assets import DEFAULT_ACCOUNT_LABEL
from providers.zerohash.sandbox.records import Balances, Participant

# Jurisdictions where staking is prohibited (PROVIDERS.md 2.2).
PROHIBITED_JURISDICTIONS = frozenset({"US-CA", "US-MD", "US-NJ", "US-WA", "US-WI"})


def new_participant(
    code: str, now: datetime, starting_balances: dict[str, Decimal]
) -> Participant:
    upper = code.upper()
    status, kyc = "approved", "pass"
    if upper.startswith("PEND"):
        status, kyc = "pending_approval", "pending"
    elif upper.startswith("RESTR"):
        status = "locked"
    return Participant(
        code=code,
        status=status,
        kyc=kyc,
        jurisdiction_code="US-NJ" if upper.startswith("NJ") else "US-NY",
        created_at=now,
        stakes_fail=upper.startswith("FAIL"),
        unstakes_fail=upper.startswith("EXITFAIL"),
        accounts={
            DEFAULT_ACCOUNT_LABEL: {
                asset: Balances(available=amount)
                for asset, amount in starting_balances.items()
            }
        },
    )
