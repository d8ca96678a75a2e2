"""The security knobs, as environment variables. `Settings` inherits them.

Every limit has a default a real client never meets; 0 turns a rate or a cap off.
"""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class SecuritySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=None, extra="ignore", populate_by_name=True
    )

    # JWT bearer tokens, besides API keys: HS256 with a shared secret, RS256/ES256
    # against a JWKS (a file path or an https URL).
    jwt_secret: SecretStr | None = Field(default=None, alias="GATEWAY_JWT_SECRET")
    jwks: str | None = Field(default=None, alias="GATEWAY_JWKS")
    jwt_issuer: str | None = Field(default=None, alias="GATEWAY_JWT_ISSUER")
    jwt_audience: str | None = Field(default=None, alias="GATEWAY_JWT_AUDIENCE")
    jwt_prefix_claim: str = Field(
        default="key_prefix", alias="GATEWAY_JWT_PREFIX_CLAIM"
    )
    jwt_leeway_seconds: float = Field(
        default=30.0, alias="GATEWAY_JWT_LEEWAY_SECONDS", ge=0
    )
    jwks_cache_seconds: float = Field(
        default=300.0, alias="GATEWAY_JWKS_CACHE_SECONDS", ge=0
    )

    # Query limits.
    max_depth: int = Field(default=12, alias="GATEWAY_MAX_DEPTH", gt=0)
    max_aliases: int = Field(default=30, alias="GATEWAY_MAX_ALIASES", ge=0)
    max_tokens: int = Field(default=3000, alias="GATEWAY_MAX_TOKENS", gt=0)
    max_cost: int = Field(default=20_000, alias="GATEWAY_MAX_COST", gt=0)
    max_page_size: int = Field(default=100, alias="GATEWAY_MAX_PAGE_SIZE", gt=0)
    default_list_size: int = Field(default=10, alias="GATEWAY_DEFAULT_LIST_SIZE", gt=0)
    operation_timeout_seconds: float = Field(
        default=30.0, alias="GATEWAY_OPERATION_TIMEOUT_SECONDS", ge=0
    )
    max_body_bytes: int = Field(default=MIB, alias="GATEWAY_MAX_BODY_BYTES", gt=0)
    # The query text alone (variables aside): parsed documents are cached.
    max_query_bytes: int = Field(
        default=64 * 1024, alias="GATEWAY_MAX_QUERY_BYTES", gt=0
    )

    # Per-client token bucket: `rate` requests a second on average, `burst` at once.
    rate_limit_per_second: float = Field(
        default=20.0, alias="GATEWAY_RATE_LIMIT_PER_SECOND", ge=0
    )
    rate_limit_burst: int = Field(default=100, alias="GATEWAY_RATE_LIMIT_BURST", ge=1)
    rate_limit_prefix: str = Field(
        default="staking-gateway:rate", alias="GATEWAY_RATE_LIMIT_PREFIX"
    )
    max_subscriptions_per_connection: int = Field(
        default=20, alias="GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION", gt=0
    )
    max_connections_per_client: int = Field(
        default=10, alias="GATEWAY_MAX_CONNECTIONS_PER_CLIENT", ge=0
    )

    # Only these operations (a JSON file) are run, when set.
    trusted_documents: Path | None = Field(
        default=None, alias="GATEWAY_TRUSTED_DOCUMENTS"
    )
