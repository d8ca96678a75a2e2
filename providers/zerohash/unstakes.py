"""How an asset-level unstake shows on the stakes of that asset.

Zerohash unstakes an amount of an asset for a participant's account (PROVIDERS.md 2.2:
`POST /stakes/unstake` names participant, account label, asset and amount, never a
stake). The gateway shows stakes, so it needs a rule for which stakes an unstake takes
from. Zerohash does not document one; this is the gateway's rule, applied the same way
by the adapter and the sandbox:

- The unstake's amount is taken from the stakes of that participant and asset that are
  staked, **oldest first** (by `created_at`, then `stake_id`), each up to what is left
  of it (`current_quantity` less the shares of earlier unstakes still under way).
- A stake is **UNBONDING while any share of it is in the exit queue** (the unstake is
  `submitted`, `broadcasted` or `confirmed`); its `redeemable_at` is the latest
  `estimated_available_at` among those unstakes.
- When the unstake completes (`unstaked`) its shares leave the stakes: a stake whose
  `current_quantity` reaches zero is WITHDRAWN and closed; the others are ACTIVE again.
  (Sandbox: a share that took all that was left of a stake closes it, and the rewards
  it earned while cooling down leave with it, as a `full` unstake does.)
- A canceled or failed unstake leaves its stakes as they were.
- The UNSTAKE action is shown on the stake the client named in `unstake(stakeId, …)`
  (on the first stake with a share, when the adapter did not submit it itself).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

# Unstake statuses during which its shares are in the exit queue.
IN_EXIT_QUEUE = frozenset({"submitted", "broadcasted", "confirmed"})
UNSTAKE_FINAL = frozenset({"unstaked", "canceled", "failed"})


@dataclass(frozen=True, slots=True)
class Position:
    stake_id: str
    created_at: datetime
    # What is left of the stake to unstake.
    capacity: Decimal


def oldest_first(positions: Sequence[Position]) -> list[Position]:
    return sorted(positions, key=lambda p: (p.created_at, p.stake_id))


def allocate(
    amount: Decimal, positions: Sequence[Position]
) -> list[tuple[str, Decimal]]:
    """The (stake_id, share) pairs `amount` takes, oldest stake first.

    Takes at most the positions' total: the caller decides whether a remainder is an
    error (the sandbox refuses it as INSUFFICIENT_BALANCE).
    """
    shares: list[tuple[str, Decimal]] = []
    left = amount
    for position in oldest_first(positions):
        if left <= 0:
            break
        take = min(left, position.capacity)
        if take > 0:
            shares.append((position.stake_id, take))
            left -= take
    return shares
