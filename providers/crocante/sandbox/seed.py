"""The sandbox's demo data: the seed's four products and the backend's ADA/USDT ones,
the starting balances of a new user, and the demo user's history."""

from datetime import timedelta
from decimal import Decimal

from providers.crocante.sandbox.state import CrocanteState, Product

DEMO_USER = "demo"

PRODUCTS: tuple[Product, ...] = (
    Product(
        "stake_btc_fixed_90", "BTC", "FIXED", Decimal("0.08"), Decimal("0.001"), 90
    ),
    Product("stake_eth_variable", "ETH", "VARIABLE", Decimal("0.05"), Decimal("0.1")),
    Product(
        "stake_usdt_fixed_30", "USDT", "FIXED", Decimal("0.06"), Decimal("100"), 30
    ),
    Product("stake_sol_variable", "SOL", "VARIABLE", Decimal("0.07"), Decimal("1")),
    Product("ADA_FLEX", "ADA", "VARIABLE", Decimal("0.025"), Decimal("10")),
    Product("ADA_180DAY", "ADA", "FIXED", Decimal("0.045"), Decimal("100"), 180),
    Product("ADA_365DAY", "ADA", "FIXED", Decimal("0.06"), Decimal("100"), 365),
    Product("USDT_FLEX", "USDT", "VARIABLE", Decimal("0.04"), Decimal("10")),
    Product("USDT_90DAY", "USDT", "FIXED", Decimal("0.07"), Decimal("100"), 90),
    # Withdrawn: listed nowhere, staking into it is refused like an unknown typeId.
    Product(
        "stake_eth_fixed_legacy",
        "ETH",
        "FIXED",
        Decimal("0.04"),
        Decimal("1"),
        60,
        False,
    ),
)

STARTING_BALANCES: dict[str, Decimal] = {
    "BTC": Decimal("2"),
    "ETH": Decimal("50"),
    "USDT": Decimal("100000"),
    "SOL": Decimal("1000"),
    "ADA": Decimal("50000"),
}


def seed_demo(state: CrocanteState) -> None:
    """`demo` holds one of each: variable and open, fixed and locked, fixed and due,
    and one already redeemed."""
    now = state.clock.now()

    def stake(product_id: str, amount: str, days_ago: int) -> str:
        opened = now - timedelta(days=days_ago)
        return state.open_position(
            DEMO_USER, state.products[product_id], Decimal(amount), opened
        ).op_id

    redeemed = stake("stake_sol_variable", "50", 120)
    stake("stake_usdt_fixed_30", "1000", 45)
    stake("stake_eth_variable", "5", 40)
    stake("stake_btc_fixed_90", "0.5", 20)
    stake("ADA_180DAY", "2500", 10)
    state.redeem(DEMO_USER, redeemed, at=now - timedelta(days=30))
    # Closed in the backend's words: only its list and `closedAt` say it is redeemed.
    state.positions[redeemed].closed_word = "COMPLETED"
