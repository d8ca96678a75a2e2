"""Demo history: the demo wallets hold stakes in every state and a few allocations,
built through the same requests and lifecycle as live traffic, dated in the past."""

from datetime import datetime, timedelta
from typing import Any

from providers.dfns.sandbox.allocation_requests import parse_create_allocation
from providers.dfns.sandbox.allocations import AllocationBook
from providers.dfns.sandbox.protocols import BTC, ETH, IOTA, OFNS, USDC, USDT, XDC
from providers.dfns.sandbox.stake_requests import parse_create_stake, parse_stake_action
from providers.dfns.sandbox.stakes import StakeBook

DEMO_WALLETS = ("wa-demo0-00000-00000000000000", "wa-demo1-00000-00000000000000")
DEMO_IOTA_VALIDATOR = "0x" + "4f1c" * 16
DEMO_XDC_CANDIDATE = "xdc" + "b7e2" * 10


# The history predates Dfns dropping Babylon from its create bodies: seed with the
# older bodies, which the API itself no longer takes.
def _stake(book: StakeBook, at: datetime, body: dict[str, Any]) -> str:
    return book.create(parse_create_stake(body, legacy=True), at).id


def _act(book: StakeBook, stake_id: str, at: datetime, body: dict[str, Any]) -> None:
    protocol = book.get(stake_id, at).rules.protocol
    request = parse_stake_action({"protocol": protocol, **body}, protocol, legacy=True)
    book.act(stake_id, request, at)


def _eth(wallet: str, whole: int) -> dict[str, Any]:
    return {
        "protocol": "Ethereum",
        "walletId": wallet,
        "provider": "Figment",
        "amount": str(ETH.units(whole)),
    }


def _iota(wallet: str, whole: int) -> dict[str, Any]:
    return {
        "protocol": "Iota",
        "walletId": wallet,
        "validator": DEMO_IOTA_VALIDATOR,
        "amount": str(IOTA.units(whole)),
    }


def seed_demo(stakes: StakeBook, allocations: AllocationBook, now: datetime) -> None:
    def days(n: int) -> datetime:
        return now - timedelta(days=n)

    main, second = DEMO_WALLETS

    _stake(stakes, days(30), {**_eth(main, 32), "externalId": "demo-eth-active"})
    iota = _stake(
        stakes,
        days(20),
        {
            "protocol": "Iota",
            "walletId": main,
            "validator": DEMO_IOTA_VALIDATOR,
            "amount": str(IOTA.units(150_000)),
        },
    )
    _act(
        stakes, iota, days(10), {"kind": "Withdraw", "amount": str(IOTA.units(50_000))}
    )
    # Active for six hours, its first epoch not over: its rewards answer is empty.
    _stake(stakes, now - timedelta(hours=30), _iota(main, 20_000))
    xdc = _stake(
        stakes,
        days(15),
        {
            "protocol": "Xdc",
            "walletId": main,
            "candidate": DEMO_XDC_CANDIDATE,
            "amount": str(XDC.units(10_000_000)),
        },
    )
    _act(stakes, xdc, days(1), {"kind": "Unbond"})
    btc = _stake(
        stakes,
        days(60),
        {
            "protocol": "Babylon",
            "walletId": main,
            "provider": "Figment",
            "amount": str(BTC.units(1) // 2),
            "duration": 64_000,
        },
    )
    _act(stakes, btc, days(10), {"kind": "Unbond"})
    withdrawn = _stake(stakes, days(40), _eth(main, 16))
    _act(stakes, withdrawn, days(5), {"kind": "Withdraw"})
    _stake(stakes, now - timedelta(hours=1), _eth(main, 1))
    _stake(stakes, now - timedelta(hours=2), _eth(main, 250))
    failed = _stake(
        stakes,
        days(3),
        {
            "protocol": "Iota",
            "walletId": main,
            "validator": "0x" + "0dead" * 12 + "beef",
            "amount": str(IOTA.units(1_000)),
        },
    )
    stakes.fail(
        failed, "Validator is not in the active committee", days(3) + timedelta(hours=1)
    )

    allocations.create(
        parse_create_allocation(
            {
                "walletId": main,
                "protocol": "0fns",
                "sourceAsset": {
                    "kind": "Erc20",
                    "contract": USDC.contract,
                    "amount": str(USDC.units(50_000)),
                },
                "targetAsset": {
                    "kind": "Erc20",
                    "contract": OFNS.contract,
                    "amount": str(OFNS.units(49_990)),
                },
                "slippageBps": 50,
            }
        ),
        days(10),
    )
    allocations.create(
        parse_create_allocation(
            {
                "walletId": main,
                "protocol": "GauntletUsdcPrime",
                "amount": str(USDC.units(25_000)),
            }
        ),
        days(5),
    )

    _stake(stakes, days(7), _eth(second, 64))
    allocations.create(
        parse_create_allocation(
            {
                "walletId": second,
                "protocol": "SteakhouseUsdt",
                "amount": str(USDT.units(100_000)),
            }
        ),
        days(4),
    )
