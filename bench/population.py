"""Many distinct clients: each one's own provider identities, seeded with its own stakes.

Runs in the sandbox host, on the sandboxes' own state and clocks, the way their demo
seeds do (stakes placed in the past, the lifecycle settled forward to now, no webhooks
sent). Client `i` holds, on each provider, an identity no other client shares:
- Dfns wallet: 32 ETH staked 30 days ago and 150,000 IOTA staked 20 days ago, partly
  withdrawn (both earning, so each costs a rewards read once per cache period);
- Zerohash participant: 32 ETH staked 20 days ago and 150 SOL 15 days ago;
- Crocante user: 5 ETH (variable) and 1,000 USDT (fixed, due) open, 50 SOL redeemed.
Dfns lists the whole organisation, so its list grows by two stakes per client.
"""

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from providers.crocante.sandbox import CrocanteSandbox
from providers.dfns.sandbox import DfnsSandbox
from providers.dfns.sandbox.protocols import ETH, IOTA
from providers.dfns.sandbox.seed import DEMO_IOTA_VALIDATOR
from providers.dfns.sandbox.stake_requests import parse_create_stake, parse_stake_action
from providers.sandbox_kit.protocol import ProviderSandbox
from providers.zerohash.sandbox import ZerohashSandbox
from providers.zerohash.sandbox.assets import DEFAULT_ACCOUNT_LABEL

# What each client holds, per provider: its stakes as the gateway lists them.
HOLDINGS = {"dfns": 2, "zerohash": 2, "crocante": 3}


def identities(index: int) -> dict[str, list[str]]:
    return {
        "dfns": [f"wa-mc{index:03d}-00000-{index:014d}"],
        "zerohash": [f"MC{index:04d}"],
        "crocante": [f"many-{index:03d}"],
    }


def _dfns(sandbox: DfnsSandbox, wallet: str) -> None:
    now = sandbox.clock.now()
    book = sandbox.stakes
    book.create(
        parse_create_stake(
            {
                "protocol": "Ethereum",
                "walletId": wallet,
                "provider": "Figment",
                "amount": str(ETH.units(32)),
            }
        ),
        now - timedelta(days=30),
    )
    iota = book.create(
        parse_create_stake(
            {
                "protocol": "Iota",
                "walletId": wallet,
                "validator": DEMO_IOTA_VALIDATOR,
                "amount": str(IOTA.units(150_000)),
            }
        ),
        now - timedelta(days=20),
    ).id
    book.act(
        iota,
        parse_stake_action(
            {"protocol": "Iota", "kind": "Withdraw", "amount": str(IOTA.units(50_000))},
            "Iota",
        ),
        now - timedelta(days=10),
    )


def _zerohash(sandbox: ZerohashSandbox, codes: list[str]) -> None:
    state = sandbox.state
    now = sandbox.clock.now()
    emit, state.emit = state.emit, lambda _event: None
    try:
        for code in codes:
            owner = state.participant(code, now - timedelta(days=21))
            owner.terms_accepted_at = now - timedelta(days=21)
            owner.terms_region = "us"
            label = DEFAULT_ACCOUNT_LABEL
            state.submit_stake(
                owner, label, "ETH", Decimal(32), now - timedelta(days=20)
            )
            state.submit_stake(
                owner, label, "SOL", Decimal(150), now - timedelta(days=15)
            )
        state.settle(now)
    finally:
        state.emit = emit


def _crocante(sandbox: CrocanteSandbox, user: str) -> None:
    state = sandbox.state
    now = sandbox.clock.now()

    def stake(product_id: str, amount: str, days_ago: int) -> str:
        return state.open_position(
            user,
            state.products[product_id],
            Decimal(amount),
            now - timedelta(days=days_ago),
        ).op_id

    redeemed = stake("stake_sol_variable", "50", 120)
    stake("stake_usdt_fixed_30", "1000", 45)
    stake("stake_eth_variable", "5", 40)
    state.redeem(user, redeemed, at=now - timedelta(days=30))


class Population:
    """Seeds `count` clients once; asking again returns the same identities."""

    def __init__(self, sandboxes: Mapping[str, ProviderSandbox]) -> None:
        self._sandboxes = sandboxes
        self._clients: list[dict[str, list[str]]] = []

    def ensure(self, count: int) -> dict[str, Any]:
        dfns, zerohash, crocante = (
            self._sandboxes["dfns"],
            self._sandboxes["zerohash"],
            self._sandboxes["crocante"],
        )
        assert isinstance(dfns, DfnsSandbox)
        assert isinstance(zerohash, ZerohashSandbox)
        assert isinstance(crocante, CrocanteSandbox)
        fresh = [identities(i) for i in range(len(self._clients), count)]
        for client in fresh:
            _dfns(dfns, client["dfns"][0])
            _crocante(crocante, client["crocante"][0])
        _zerohash(zerohash, [c["zerohash"][0] for c in fresh])
        self._clients += fresh
        return {"clients": self._clients[:count], "holdings": HOLDINGS}
