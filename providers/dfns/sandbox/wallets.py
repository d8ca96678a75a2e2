"""Wallet balances in minimum units; a wallet never seen is created funded."""

from providers.dfns.sandbox.errors import bad_request
from providers.dfns.sandbox.protocols import ASSETS, STARTING_BALANCES, ChainAsset

_BY_KEY = {a.key: a for a in ASSETS}


class Wallets:
    def __init__(self) -> None:
        self._balances: dict[str, dict[str, int]] = {}

    def balances(self, wallet_id: str) -> dict[str, int]:
        if wallet_id not in self._balances:
            self._balances[wallet_id] = {
                key: _BY_KEY[key].units(whole)
                for key, whole in STARTING_BALANCES.items()
            }
        return self._balances[wallet_id]

    def balance(self, wallet_id: str, asset: ChainAsset) -> int:
        return self.balances(wallet_id).get(asset.key, 0)

    def debit(self, wallet_id: str, asset: ChainAsset, amount: int) -> None:
        held = self.balance(wallet_id, asset)
        if held < amount:
            raise bad_request(
                f"Insufficient balance: wallet {wallet_id} holds {held} "
                f"and needs {amount} "
                f"({asset.symbol} in minimum units)"
            )
        self.balances(wallet_id)[asset.key] = held - amount

    def credit(self, wallet_id: str, asset: ChainAsset, amount: int) -> None:
        self.balances(wallet_id)[asset.key] = self.balance(wallet_id, asset) + amount
