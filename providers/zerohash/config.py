"""How the gateway reaches Zerohash: API credentials, webhook secret, account label."""

from dataclasses import dataclass

from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class ZerohashConfig:
    api_key: str
    # Base64 text as Zerohash issues it; decoded to bytes before signing.
    api_secret: SecretStr
    passphrase: SecretStr
    # HMAC webhook secret; None when webhooks are verified by RSA only.
    webhook_secret: SecretStr | None
    # The participant account stakes settle from (it must exist at Zerohash).
    account_label: str = "general"
    # Where the API lives: the gateway builds its HTTP client from it.
    base_url: str | None = None
    # `region` of the staking agreement recorded when a participant accepts terms.
    agreement_region: str = "us"
    # PEM of Zero Hash's RSA webhook key (ZEROHASH_WEBHOOK_PUBLIC_KEY), if configured.
    webhook_public_key: str | None = None

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ValueError("api_key is required")
        if not self.account_label:
            raise ValueError("account_label is required")
        if self.webhook_secret is None and not self.webhook_public_key:
            raise ValueError("a webhook secret or an RSA public key is required")
