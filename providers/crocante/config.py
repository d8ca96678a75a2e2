"""How to reach Crocante: base URL, credentials and endpoint paths (deployment config).

Crocante's paths are environment keys in its own deployment, not a published API, so
each is a template relative to the base URL; `%OPID` in `redeem_path` is the
operation id.
"""

from dataclasses import dataclass

from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class CrocanteConfig:
    base_url: str
    # The one user served, unless `login_any_owner`: then each owner logs in as itself.
    username: str | None = None
    password: SecretStr | None = None
    # Base32 RFC 6238 secret; when set, every login sends a fresh `totpCode`.
    totp_secret: SecretStr | None = None
    # Sandbox mode: every Crocante user shares `password`, so any owner can be served.
    login_any_owner: bool = False
    login_path: str = "auth/login"
    types_path: str = "staking/types"
    create_path: str = "staking"
    active_path: str = "staking/active"
    redeemed_path: str = "staking/redeemed"
    redeem_path: str = "staking/%OPID/redeem"
    page_size: int = 50

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= 100:
            raise ValueError("page_size must be between 1 and 100")
        if "%OPID" not in self.redeem_path:
            raise ValueError("redeem_path must contain the %OPID placeholder")
        if not self.login_any_owner and not self.username:
            raise ValueError("username is required unless login_any_owner is set")
