"""Configuration from the environment, as PRODUCT.md names it. Secrets stay `SecretStr`."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from gateway.security.settings import SecuritySettings


class Settings(SecuritySettings):
    model_config = SettingsConfigDict(
        env_file=None, extra="ignore", populate_by_name=True
    )

    database_url: str = Field(default="", alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    gateway_env: str = Field(default="development", alias="GATEWAY_ENV")
    demo_api_key: SecretStr | None = Field(default=None, alias="GATEWAY_DEMO_API_KEY")
    sandbox_time_scale: float = Field(default=1.0, alias="SANDBOX_TIME_SCALE", ge=0)
    var_dir: Path = Field(default=Path("var"), alias="GATEWAY_VAR_DIR")
    # The address the gateway is reached at, for the sandboxes' webhooks and adapters in
    # embedded mode; set by `serve` from --host/--port.
    public_url: str = Field(default="http://127.0.0.1:8000", alias="GATEWAY_PUBLIC_URL")
    provider_timeout_seconds: float = Field(
        default=10.0, alias="PROVIDER_TIMEOUT_SECONDS", gt=0
    )
    # From SIGTERM to exit: the first half lets requests in flight finish, the rest
    # stops background tasks and closes resources; what still runs then is logged.
    shutdown_seconds: float = Field(
        default=10.0, alias="GATEWAY_SHUTDOWN_SECONDS", gt=0
    )

    watcher_enabled: bool = Field(default=True, alias="WATCHER_ENABLED")
    watcher_fast_seconds: float = Field(default=2.0, alias="WATCHER_FAST_SECONDS", gt=0)
    watcher_slow_seconds: float = Field(
        default=30.0, alias="WATCHER_SLOW_SECONDS", gt=0
    )
    watcher_lease_seconds: float = Field(
        default=10.0, alias="WATCHER_LEASE_SECONDS", gt=0
    )
    ws_ping_seconds: float = Field(default=15.0, alias="WS_PING_SECONDS", gt=0)

    # PROVIDER:status=DURATION,…: an action in that provider status for longer raises
    # one action.stuck alert.
    stuck_thresholds: str = Field(
        default="ZEROHASH:broadcasted=2h,DFNS:InProgress=1h",
        alias="GATEWAY_STUCK_THRESHOLDS",
    )
    stuck_check_seconds: float = Field(
        default=30.0, alias="GATEWAY_STUCK_CHECK_SECONDS", gt=0
    )

    # Client webhooks. Private, loopback and link-local URLs are refused unless allowed
    # (loopback is allowed in sandbox mode, for a receiver on the same machine).
    webhook_allow_private: bool = Field(
        default=False, alias="GATEWAY_WEBHOOK_ALLOW_PRIVATE"
    )
    # Whether this replica may send (one sends at a time, under a lease).
    webhook_sender_enabled: bool = Field(
        default=True, alias="GATEWAY_WEBHOOK_SENDER_ENABLED"
    )
    webhook_poll_seconds: float = Field(
        default=1.0, alias="GATEWAY_WEBHOOK_POLL_SECONDS", gt=0
    )
    webhook_lease_seconds: float = Field(
        default=30.0, alias="GATEWAY_WEBHOOK_LEASE_SECONDS", gt=0
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, alias="GATEWAY_WEBHOOK_TIMEOUT_SECONDS", gt=0, le=60
    )
    webhook_retry_base_seconds: float = Field(
        default=5.0, alias="GATEWAY_WEBHOOK_RETRY_BASE_SECONDS", gt=0
    )
    webhook_retry_hours: float = Field(
        default=24.0, alias="GATEWAY_WEBHOOK_RETRY_HOURS", gt=0
    )

    dfns_api_url: str | None = Field(default=None, alias="DFNS_API_URL")
    dfns_auth_token: SecretStr | None = Field(default=None, alias="DFNS_AUTH_TOKEN")
    dfns_cred_id: str | None = Field(default=None, alias="DFNS_CRED_ID")
    dfns_private_key: SecretStr | None = Field(default=None, alias="DFNS_PRIVATE_KEY")
    dfns_private_key_file: Path | None = Field(
        default=None, alias="DFNS_PRIVATE_KEY_FILE"
    )
    otel_endpoint: str | None = Field(default=None, alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    otel_service_name: str = Field(default="staking-gateway", alias="OTEL_SERVICE_NAME")
    # graphql.document on operation spans (off: a document may carry literal values).
    otel_document: bool = Field(default=False, alias="GATEWAY_OTEL_DOCUMENT")
    # Operation spans named "{type} {operation}" rather than "{type}" (semconv's default).
    otel_span_names_with_operation: bool = Field(
        default=False, alias="GATEWAY_OTEL_SPAN_NAMES_WITH_OPERATION"
    )
    # Client and operation names on metrics, logs and spans: the known clients always,
    # then this many distinct values a dimension before the rest fold into "other".
    client_names: str = Field(default="", alias="GATEWAY_CLIENT_NAMES")
    max_client_labels: int = Field(default=20, alias="GATEWAY_MAX_CLIENT_LABELS", ge=0)
    max_client_version_labels: int = Field(
        default=50, alias="GATEWAY_MAX_CLIENT_VERSION_LABELS", ge=0
    )
    max_operation_labels: int = Field(
        default=100, alias="GATEWAY_MAX_OPERATION_LABELS", ge=0
    )
    log_level: str = Field(default="info", alias="LOG_LEVEL")
    log_format: Literal["json", "text"] = Field(default="json", alias="LOG_FORMAT")
    # An operation slower than this is logged as a warning, with its request id.
    slow_operation_seconds: float = Field(
        default=1.0, alias="GATEWAY_SLOW_OPERATION_SECONDS", gt=0
    )
    # Plain fields read without graphql-core's per-field machinery (schema/execution.py).
    fast_execution: bool = Field(default=True, alias="GATEWAY_FAST_EXECUTION")
    # How long a stake's running rewards total is reused (0: read it every time).
    dfns_rewards_cache_seconds: float = Field(
        default=30.0, alias="DFNS_REWARDS_CACHE_SECONDS", ge=0, le=3600
    )
    # How long a listed stake's actions are reused while its status stands.
    dfns_actions_cache_seconds: float = Field(
        default=30.0, alias="DFNS_ACTIONS_CACHE_SECONDS", ge=0, le=3600
    )
    dfns_webhook_secret: SecretStr | None = Field(
        default=None, alias="DFNS_WEBHOOK_SECRET"
    )

    zerohash_api_url: str | None = Field(default=None, alias="ZEROHASH_API_URL")
    zerohash_api_key: str | None = Field(default=None, alias="ZEROHASH_API_KEY")
    zerohash_api_secret: SecretStr | None = Field(
        default=None, alias="ZEROHASH_API_SECRET"
    )
    zerohash_passphrase: SecretStr | None = Field(
        default=None, alias="ZEROHASH_PASSPHRASE"
    )
    zerohash_webhook_secret: SecretStr | None = Field(
        default=None, alias="ZEROHASH_WEBHOOK_SECRET"
    )
    # PEM; with it, RSA-signed webhooks verify (HMAC too when the secret is set).
    zerohash_webhook_public_key: str | None = Field(
        default=None, alias="ZEROHASH_WEBHOOK_PUBLIC_KEY"
    )

    crocante_api_url: str | None = Field(default=None, alias="CROCANTE_API_URL")
    crocante_username: str | None = Field(default=None, alias="CROCANTE_USERNAME")
    crocante_password: SecretStr | None = Field(default=None, alias="CROCANTE_PASSWORD")
    crocante_totp_secret: SecretStr | None = Field(
        default=None, alias="CROCANTE_TOTP_SECRET"
    )
    # Crocante's endpoints are its deployment's config (PROVIDERS.md 3), relative to
    # CROCANTE_API_URL (which carries any proxy prefix); the defaults are the seed's.
    crocante_login_path: str = Field(default="auth/login", alias="CROCANTE_LOGIN_PATH")
    crocante_types_path: str = Field(
        default="staking/types", alias="CROCANTE_TYPES_PATH"
    )
    crocante_stake_path: str = Field(default="staking", alias="CROCANTE_STAKE_PATH")
    crocante_active_path: str = Field(
        default="staking/active", alias="CROCANTE_ACTIVE_PATH"
    )
    crocante_redeemed_path: str = Field(
        default="staking/redeemed", alias="CROCANTE_REDEEMED_PATH"
    )
    crocante_redeem_path: str = Field(
        default="staking/%OPID/redeem", alias="CROCANTE_REDEEM_PATH"
    )
    # True: a position's `amount` already includes its `yield` (the frontend's mock
    # data); false: `amount` is the principal beside `yield` (the seed).
    crocante_amount_includes_yield: bool = Field(
        default=False, alias="CROCANTE_AMOUNT_INCLUDES_YIELD"
    )

    # @defer and @stream (experimental): off, the schema does not declare them.
    incremental_delivery: bool = Field(
        default=True, alias="GATEWAY_INCREMENTAL_DELIVERY"
    )
    # Automatic persisted queries: this replica's memory, shared through Redis when
    # REDIS_URL is set. With trusted documents, only the manifest's hashes run.
    apq_enabled: bool = Field(default=True, alias="GATEWAY_APQ")
    apq_ttl_seconds: int = Field(default=86_400, alias="GATEWAY_APQ_TTL_SECONDS", ge=0)
    apq_memory_bytes: int = Field(
        default=16 * 1024 * 1024, alias="GATEWAY_APQ_MEMORY_BYTES", gt=0
    )
    apq_prefix: str = Field(default="staking-gateway:apq", alias="GATEWAY_APQ_PREFIX")

    # Origins whose pages may call the API from a browser (comma-separated; * for any).
    cors_origins: str = Field(default="*", alias="GATEWAY_CORS_ORIGINS")

    @property
    def drain_seconds(self) -> float:
        """The part of the stop that requests in flight get to finish in (uvicorn's
        graceful shutdown); the lifespan stops the rest in what remains."""
        return self.shutdown_seconds / 2

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def known_client_names(self) -> list[str]:
        return [n.strip() for n in self.client_names.split(",") if n.strip()]

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir / 'gateway.sqlite3'}"

    @property
    def is_production(self) -> bool:
        return self.gateway_env.lower() == "production"

    @property
    def any_sandboxed(self) -> bool:
        return not (
            self.dfns_api_url and self.zerohash_api_url and self.crocante_api_url
        )
