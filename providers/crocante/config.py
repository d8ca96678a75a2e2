"""How to reach Crocante: base URL, credentials and endpoint paths (deployment config).

Crocante's paths are environment keys in its own deployment, not a published API, so
each is a template relative to the base URL (which may carry a proxy's prefix);
`%OPID` in `redeem_path` is the operation id. The defaults are the seed's
(`https://api.crocante.io/v1/staking/...` with the base URL ending in `/v1/`).
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
    # The seed shows a position's `amount` as its principal beside a separate `yield`
    # (current = amount + yield); the frontend's mock data reads `amount` as already
    # including the yield (current = amount). Which is right is not confirmed.
    amount_includes_yield: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= 100:
            raise ValueError("page_size must be between 1 and 100")
        if "%OPID" not in self.redeem_path:
            raise ValueError("redeem_path must contain the %OPID placeholder")
        if not self.login_any_owner and not self.username:
            raise ValueError("username is required unless login_any_owner is set")
