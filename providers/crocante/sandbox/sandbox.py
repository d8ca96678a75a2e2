"""CrocanteSandbox: a fake Crocante speaking its documented API on a simulated clock."""

import secrets

from pydantic import SecretStr
from starlette.applications import Starlette

from gateway.domain.enums import Provider
from providers.crocante.config import CrocanteConfig
from providers.crocante.sandbox.app import build_routes
from providers.crocante.sandbox.auth import SandboxAuth
from providers.crocante.sandbox.seed import (
    DEMO_USER,
    PRODUCTS,
    STARTING_BALANCES,
    seed_demo,
)
from providers.crocante.sandbox.state import CrocanteState
from providers.sandbox_kit import Faults, SimulatedClock, sandbox_app


class CrocanteSandbox:
    """`amount_includes_yield` makes positions speak the frontend mock data's reading of
    `amount` (principal plus yield) instead of the seed's (the principal); the gateway
    configuration it hands out reads them accordingly."""

    provider = Provider.CROCANTE

    def __init__(
        self,
        *,
        clock: SimulatedClock | None = None,
        password: str | None = None,
        token_ttl_seconds: float = 3600,
        faults: Faults | None = None,
        totp_secret: str | None = None,
        amount_includes_yield: bool = False,
    ) -> None:
        if token_ttl_seconds <= 0:
            raise ValueError("token_ttl_seconds must be positive")
        self.clock = clock or SimulatedClock()
        self.faults = faults or Faults()
        self.password = password or secrets.token_urlsafe(18)
        # Base32, as an authenticator app takes it; None: logins need no TOTP.
        self.totp_secret = totp_secret
        self.amount_includes_yield = amount_includes_yield
        self.demo_owners: tuple[str, ...] = (DEMO_USER,)
        self.state = CrocanteState(
            clock=self.clock,
            products={product.id: product for product in PRODUCTS},
            starting_balances=dict(STARTING_BALANCES),
        )
        seed_demo(self.state)
        self.auth = SandboxAuth(
            clock=self.clock,
            password=self.password,
            token_ttl_seconds=token_ttl_seconds,
            totp_secret=totp_secret,
        )
        self.app: Starlette = sandbox_app(
            build_routes(
                self.state, self.auth, amount_includes_yield=amount_includes_yield
            ),
            self.clock,
            self.faults,
        )

    async def start(self) -> None:
        """Nothing runs in the background: state follows the clock when read."""

    async def stop(self) -> None:
        """Nothing to release."""

    def gateway_config(self, base_url: str) -> CrocanteConfig:
        return CrocanteConfig(
            base_url=base_url,
            username=None,
            password=SecretStr(self.password),
            totp_secret=SecretStr(self.totp_secret) if self.totp_secret else None,
            login_any_owner=True,
            amount_includes_yield=self.amount_includes_yield,
        )
