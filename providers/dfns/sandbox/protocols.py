"""The sandbox's chains, assets and timings: how long each step takes on the simulated
clock, what it pays, and where the policy engine steps in. Written from the docs, apart
from the adapter's catalog on purpose."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ChainAsset:
    key: str
    symbol: str
    name: str
    network: str
    decimals: int
    kind: str = "Native"
    contract: str | None = None

    def units(self, whole: Decimal | int) -> int:
        """Whole units as minimum units; configured values are exact.."""
        scaled = Decimal(whole).scaleb(self.decimals)
        assert scaled == scaled.to_integral_value()
        return int(scaled)


def _erc20(
    key: str, symbol: str, name: str, network: str, contract: str, decimals: int
) -> ChainAsset:
    return ChainAsset(
        key, symbol, name, network, decimals, kind="Erc20", contract=contract
    )


ETH = ChainAsset("ETH", "ETH", "Ether", "Ethereum", 18)
IOTA = ChainAsset("IOTA", "IOTA", "IOTA", "Iota", 9)
BTC = ChainAsset("BTC", "BTC", "Bitcoin", "Bitcoin", 8)
XDC = ChainAsset("XDC", "XDC", "XDC", "Xdc", 18)
USDC = _erc20(
    "USDC",
    "USDC",
    "USD Coin",
    "Ethereum",
    "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
    6,
)
USDC_BASE = _erc20(
    "USDC.base",
    "USDC",
    "USD Coin",
    "Base",
    "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    6,
)
USDT = _erc20(
    "USDT",
    "USDT",
    "Tether USD",
    "Ethereum",
    "0xdAC17F958D2ee523a2206206994597C13D831ec7",
    6,
)
USDS = _erc20(
    "USDS",
    "USDS",
    "USDS Stablecoin",
    "Ethereum",
    "0xdC035D45d973E3EC169d2276DDab16f1e407384F",
    18,
)
PYUSD = _erc20(
    "PYUSD",
    "PYUSD",
    "PayPal USD",
    "Ethereum",
    "0x6c3ea9036406852006290770BEdFcAbA0e23A0e8",
    6,
)
OFNS = _erc20(
    "0fns", "0fns", "0fns", "Ethereum", "0x0A7660979A67E4bC51E750C628C8479ff9F458aE", 6
)

ASSETS: tuple[ChainAsset, ...] = (
    ETH,
    IOTA,
    BTC,
    XDC,
    USDC,
    USDC_BASE,
    USDT,
    USDS,
    PYUSD,
    OFNS,
)

# What a wallet the sandbox has never seen starts with (whole units).
STARTING_BALANCES: dict[str, Decimal] = {
    "ETH": Decimal(1_000),
    "IOTA": Decimal(5_000_000),
    "BTC": Decimal(10),
    "XDC": Decimal(50_000_000),
    "USDC": Decimal(1_000_000),
    "USDC.base": Decimal(1_000_000),
    "USDT": Decimal(1_000_000),
    "USDS": Decimal(1_000_000),
    "PYUSD": Decimal(1_000_000),
}


@dataclass(frozen=True, slots=True)
class StakingRules:
    protocol: str
    asset: ChainAsset
    apy_bps: int
    stake_time: timedelta
    withdraw_time: timedelta
    # Above this (whole units) a stake or deposit waits for a policy decision.
    approval_above: Decimal
    action_kinds: frozenset[str]
    provider: str | None = None
    unbond_time: timedelta | None = None
    deposit_time: timedelta | None = None
    min_amount: Decimal = Decimal(0)
    # From activation until the first reward is reported (a day: Babylon and XDC pay
    # daily): until then the rewards call answers with an empty body.
    first_reward_after: timedelta = timedelta(days=1)


STAKING: dict[str, StakingRules] = {
    r.protocol: r
    for r in (
        StakingRules(
            "Ethereum",
            ETH,
            320,
            timedelta(hours=6),
            timedelta(days=2),
            Decimal(100),
            frozenset({"Withdraw"}),
            provider="Figment",
            # An Ethereum epoch.
            first_reward_after=timedelta(minutes=6, seconds=24),
        ),
        StakingRules(
            "Iota",
            IOTA,
            900,
            timedelta(days=1),
            timedelta(days=1),
            Decimal(1_000_000),
            frozenset({"Withdraw", "Deposit"}),
            deposit_time=timedelta(days=1),
            # Iota pays at the end of an epoch (a day).
            first_reward_after=timedelta(days=1),
        ),
        StakingRules(
            "Babylon",
            BTC,
            150,
            timedelta(hours=2),
            timedelta(hours=1),
            Decimal(1),
            frozenset({"Unbond", "Withdraw"}),
            provider="Figment",
            unbond_time=timedelta(days=7),
        ),
        StakingRules(
            "Xdc",
            XDC,
            800,
            timedelta(hours=1),
            timedelta(minutes=10),
            Decimal(100_000_000),
            frozenset({"Unbond", "Withdraw"}),
            unbond_time=timedelta(days=2),
            min_amount=Decimal(10_000_000),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class AllocationRules:
    protocol: str
    provider: str
    # What the position is held in; vault `amount`s are in this token too.
    position: ChainAsset
    apy_bps: int
    # 0fns only: the token traded for the position.
    quote: ChainAsset | None = None


ALLOCATION_TIME = timedelta(minutes=2)
ALLOCATION_APPROVAL_ABOVE = Decimal(250_000)
# What the 0fns swap costs, so a zero slippage tolerance can fail as it would.
SWAP_FEE_BPS = 1

ALLOCATIONS: dict[str, AllocationRules] = {
    r.protocol: r
    for r in (
        AllocationRules("0fns", "M0", OFNS, 450, quote=USDC),
        AllocationRules("SkySusds", "Yield.xyz", USDS, 500),
        AllocationRules("GauntletUsdcPrime", "Yield.xyz", USDC, 600),
        AllocationRules("SteakhouseUsdt", "Yield.xyz", USDT, 550),
        AllocationRules("GauntletUsdcPrimeBase", "Yield.xyz", USDC_BASE, 620),
        AllocationRules("SteakhouseUsdcBase", "Yield.xyz", USDC_BASE, 580),
        AllocationRules("SentoraPyusdMain", "Yield.xyz", PYUSD, 500),
    )
}
