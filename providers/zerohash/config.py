"""How the gateway reaches Zerohash: API credentials, webhook secret, account label."""

from dataclasses import dataclass

from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class ZerohashConfig:
    api_key: str
    # Base64 text as Zerohash issues it; decoded to bytes before signing.
    api_secret: SecretStr
    passphrase: SecretStr
    webhook_secret: SecretStr
    # The participant account stakes settle from (it must exist at Zerohash).
    account_label: str = "general"
    # Where the API lives: the gateway builds its HTTP client from it.
    base_url: str | None = None
    # `region` of the staking agreement recorded when a participant accepts terms.
    agreement_region: str = "us"

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ValueError("api_key is required")
        if not self.account_label:
            raise ValueError("account_label is required")
