"""What the gateway knows of assets whatever the provider says: their decimal places."""

# On-chain precision of the assets the providers stake; a provider that does not say how
# many decimals an asset has still cannot accept more than the chain holds.
CHAIN_DECIMALS: dict[str, int] = {
    "ADA": 6,
    "BTC": 8,
    "ETH": 18,
    "IOTA": 9,
    "PYUSD": 6,
    "SOL": 9,
    "USDC": 6,
    "USDS": 18,
    "USDT": 6,
    "XDC": 18,
}


def decimals_of(symbol: str, stated: int | None = None) -> int | None:
    return stated if stated is not None else CHAIN_DECIMALS.get(symbol.upper())
