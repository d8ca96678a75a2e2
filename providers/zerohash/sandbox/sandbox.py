"""ZerohashSandbox: the fake Zerohash a gateway can point at, and its credentials."""

import base64
import random
import secrets
import time
from collections.abc import Callable

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from starlette.applications import Starlette

from gateway.domain.enums import Provider
from providers.sandbox_kit import Faults, SimulatedClock, sandbox_app
from providers.zerohash.config import ZerohashConfig
from providers.zerohash.sandbox.app import SandboxRoutes
from providers.zerohash.sandbox.auth import RateLimiter, RequestVerifier
from providers.zerohash.sandbox.seed import DEMO_OWNERS, seed_demo
from providers.zerohash.sandbox.state import ZerohashState
from providers.zerohash.sandbox.webhooks import WebhookDispatcher
from providers.zerohash.webhook_rsa import public_pem


class ZerohashSandbox:
    """Credentials left out are generated at random; `gateway_config` hands them over.

    Lifecycles follow the simulated `clock`; the demo participant DEMO01 comes with
    history. `start()` runs webhook delivery (and a tick that applies due transitions in
    real time); without it the state still moves on each request and clock advance.
    """

    provider = Provider.ZEROHASH
    demo_owners: tuple[str, ...] = DEMO_OWNERS

    def __init__(
        self,
        *,
        clock: SimulatedClock | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        passphrase: str | None = None,
        webhook_secret: str | None = None,
        webhook_url: str | None = None,
        duplicate_rate: float = 0.0,
        reorder: bool = False,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        retry_base_delay: float = 1.0,
        faults: Faults | None = None,
        rate_limit: int = 2000,
        seed: int | None = None,
        wall_clock: Callable[[], float] = time.time,
        webhook_signing: str = "hmac",
    ) -> None:
        """`webhook_signing`: "hmac", "rsa" or "both" (an RSA key is made for it)."""
        self.webhook_signing = webhook_signing
        self.webhook_rsa_key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if webhook_signing != "hmac"
            else None
        )
        self.clock = clock or SimulatedClock()
        self.faults = faults or Faults()
        self.api_key = api_key or f"zh-sandbox-{secrets.token_hex(8)}"
        self.api_secret = (
            api_secret or base64.b64encode(secrets.token_bytes(32)).decode()
        )
        self.passphrase = passphrase or secrets.token_urlsafe(12)
        self.webhook_secret = webhook_secret or secrets.token_urlsafe(24)
        rng = random.Random(seed)
        self.state = ZerohashState(rng=rng)
        seed_demo(self.state, self.clock.now())
        self.webhooks = WebhookDispatcher(
            self.webhook_secret,
            url=webhook_url,
            transport=webhook_transport,
            retry_base_delay=retry_base_delay,
            duplicate_rate=duplicate_rate,
            reorder=reorder,
            rng=rng,
            wall_clock=wall_clock,
            on_tick=self.settle,
            signing=webhook_signing,
            rsa_key=self.webhook_rsa_key,
        )
        self.state.emit = self.webhooks.publish
        routes = SandboxRoutes(
            self.state,
            self.clock,
            RequestVerifier(
                self.api_key, self.api_secret, self.passphrase, wall_clock=wall_clock
            ),
            RateLimiter(rate_limit),
            wall_clock=wall_clock,
        )
        self.app: Starlette = sandbox_app(routes.routes(), self.clock, self.faults)
        self.clock.on_advance(self._on_advance)

    def settle(self) -> None:
        """Apply every transition due by the clock's now (and queue their webhooks)."""
        self.state.settle(self.clock.now())

    async def _on_advance(self) -> None:
        self.settle()

    def set_webhook_url(self, url: str | None) -> None:
        self.webhooks.url = url

    async def start(self) -> None:
        await self.webhooks.start()

    async def stop(self) -> None:
        await self.webhooks.stop()

    def gateway_config(self, base_url: str) -> ZerohashConfig:
        return ZerohashConfig(
            api_key=self.api_key,
            api_secret=SecretStr(self.api_secret),
            passphrase=SecretStr(self.passphrase),
            webhook_secret=(
                None
                if self.webhook_signing == "rsa"
                else SecretStr(self.webhook_secret)
            ),
            base_url=base_url,
            webhook_public_key=(
                public_pem(self.webhook_rsa_key) if self.webhook_rsa_key else None
            ),
        )
