"""What Dfns stakes and allocates, as static facts: Dfns has no products API.

Per staking protocol: the asset and its decimals, the create-body shape, whether a
validator is chosen, the documented minimum. Per allocation protocol: the asset the
position is held in, and whether it is a swap (0fns) or a vault taking an `amount`.
"""

from dataclasses import dataclass
from decimal import Decimal

from gateway.domain.enums import Provider, StakingMode
from gateway.domain.models import Asset, StakingProduct


@dataclass(frozen=True, slots=True)
class StakingProtocol:
    name: str
    asset: Asset
    product_id: str
    mode: StakingMode
    # `provider` in the create body (Figment), where the protocol takes one.
    staking_provider: str | None = None
    # The create-body field naming the validator (Iota `validator`, Xdc `candidate`).
    validator_field: str | None = None
    min_amount: Decimal | None = None
    duration_days: int | None = None
    unstaking_period_days: int | None = None
    # Babylon's timelock in Bitcoin blocks, sent as `duration`.
    duration_blocks: int | None = None
    # Set when the current API takes no new stakes or actions on this protocol: its
    # stakes are still read (they stay in the response unions), never written.
    closed_reason: str | None = None

    @property
    def decimals(self) -> int:
        assert self.asset.decimals is not None
        return self.asset.decimals

    @property
    def requires_validator(self) -> bool:
        return self.validator_field is not None


# Babylon's longest staking timelock (blocks of ~10 minutes): about 444 days.
BABYLON_DURATION_BLOCKS = 64_000
# PROVIDERS.md 1.3: Babylon is in the newest response unions, not in the newest create
# bodies (dfns-sdk-ts staking types, newest vs 01f2c0a).
BABYLON_CLOSED = (
    "Dfns no longer takes Babylon stakes or actions: its current API dropped Babylon "
    "from the create-stake and create-action bodies (existing Babylon stakes still "
    "read)"
)

STAKING_PROTOCOLS: dict[str, StakingProtocol] = {
    p.name: p
    for p in (
        StakingProtocol(
            name="Ethereum",
            asset=Asset(symbol="ETH", network="Ethereum", decimals=18),
            product_id="Ethereum:Figment",
            mode=StakingMode.VARIABLE,
            staking_provider="Figment",
        ),
        StakingProtocol(
            name="Iota",
            asset=Asset(symbol="IOTA", network="Iota", decimals=9),
            product_id="Iota",
            mode=StakingMode.VARIABLE,
            validator_field="validator",
        ),
        StakingProtocol(
            name="Babylon",
            asset=Asset(symbol="BTC", network="Bitcoin", decimals=8),
            product_id="Babylon:Figment",
            mode=StakingMode.FIXED,
            staking_provider="Figment",
            duration_blocks=BABYLON_DURATION_BLOCKS,
            duration_days=BABYLON_DURATION_BLOCKS * 10 // (60 * 24),
            # Babylon's unbonding time is 1,008 blocks.
            unstaking_period_days=7,
            closed_reason=BABYLON_CLOSED,
        ),
        StakingProtocol(
            name="Xdc",
            asset=Asset(symbol="XDC", network="Xdc", decimals=18),
            product_id="Xdc",
            mode=StakingMode.VARIABLE,
            validator_field="candidate",
            min_amount=Decimal(10_000_000),
        ),
    )
}

_BY_PRODUCT_ID = {p.product_id: p for p in STAKING_PROTOCOLS.values()}


def protocol_for_product(product_id: str) -> StakingProtocol | None:
    return _BY_PRODUCT_ID.get(product_id)


def staking_products() -> tuple[StakingProduct, ...]:
    return tuple(
        StakingProduct(
            provider=Provider.DFNS,
            provider_product_id=p.product_id,
            asset=p.asset,
            mode=p.mode,
            protocol=p.name,
            min_amount=p.min_amount,
            duration_days=p.duration_days,
            lockup_days=p.duration_days,
            unstaking_period_days=p.unstaking_period_days,
            requires_validator=p.requires_validator,
            is_open=p.closed_reason is None,
            closed_reason=p.closed_reason,
        )
        for p in STAKING_PROTOCOLS.values()
    )


@dataclass(frozen=True, slots=True)
class Token:
    symbol: str
    network: str
    contract: str
    decimals: int


USDC = Token("USDC", "Ethereum", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6)
USDC_BASE = Token("USDC", "Base", "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", 6)
USDT = Token("USDT", "Ethereum", "0xdAC17F958D2ee523a2206206994597C13D831ec7", 6)
USDS = Token("USDS", "Ethereum", "0xdC035D45d973E3EC169d2276DDab16f1e407384F", 18)
PYUSD = Token("PYUSD", "Ethereum", "0x6c3ea9036406852006290770BEdFcAbA0e23A0e8", 6)
# The 0fns token (M0), as in Dfns' own example.
OFNS = Token("0fns", "Ethereum", "0x0A7660979A67E4bC51E750C628C8479ff9F458aE", 6)

KNOWN_TOKENS: tuple[Token, ...] = (USDC, USDC_BASE, USDT, USDS, PYUSD, OFNS)


def token_by_contract(contract: str) -> Token | None:
    wanted = contract.lower()
    return next((t for t in KNOWN_TOKENS if t.contract.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class AllocationProtocol:
    name: str
    provider: str
    # The asset the position (and an `amount` body) is counted in.
    token: Token
    # 0fns trades sourceAsset for targetAsset within a slippage bound; vaults take
    # an `amount`.
    is_swap: bool = False


ALLOCATION_PROTOCOLS: dict[str, AllocationProtocol] = {
    p.name: p
    for p in (
        AllocationProtocol("0fns", "M0", OFNS, is_swap=True),
        AllocationProtocol("SkySusds", "Yield.xyz", USDS),
        AllocationProtocol("GauntletUsdcPrime", "Yield.xyz", USDC),
        AllocationProtocol("SteakhouseUsdt", "Yield.xyz", USDT),
        AllocationProtocol("GauntletUsdcPrimeBase", "Yield.xyz", USDC_BASE),
        AllocationProtocol("SteakhouseUsdcBase", "Yield.xyz", USDC_BASE),
        AllocationProtocol("SentoraPyusdMain", "Yield.xyz", PYUSD),
    )
}
