"""`DfnsSandbox`: the fake Dfns, one in-memory organisation on a simulated clock."""

import secrets
from collections.abc import Mapping

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pydantic import SecretStr
from starlette.applications import Starlette

from gateway.domain.enums import Provider
from providers.dfns.config import DfnsConfig
from providers.dfns.sandbox.allocations import AllocationBook
from providers.dfns.sandbox.app import DfnsRoutes
from providers.dfns.sandbox.auth import UserActionSigning
from providers.dfns.sandbox.ids import new_id
from providers.dfns.sandbox.seed import DEMO_WALLETS, seed_demo
from providers.dfns.sandbox.stakes import StakeBook
from providers.dfns.sandbox.wallets import Wallets
from providers.sandbox_kit import Faults, SimulatedClock, sandbox_app


def _new_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh Ed25519 credential key."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )
    return private, public


class DfnsSandbox:
    """Credentials: `auth_token` (random when omitted) is the one Bearer token accepted;
    `credentials` maps credential ids to public-key PEMs allowed to sign user actions.
    Without `credentials`, an Ed25519 credential is made and its private key kept, so
    `gateway_config()` returns a working configuration. `held_status` is the HTTP
    status of a stake write held for policy approval: 200 with the action
    `PendingPolicyApproval`, as the docs show, or 202, as older Dfns answered."""

    provider = Provider.DFNS

    def __init__(
        self,
        *,
        clock: SimulatedClock | None = None,
        auth_token: str | None = None,
        credentials: Mapping[str, str] | None = None,
        faults: Faults | None = None,
        held_status: int = 200,
    ) -> None:
        if held_status not in (200, 202):
            raise ValueError("held_status must be 200 or 202")
        self.clock = clock or SimulatedClock()
        self.faults = faults or Faults()
        self.auth_token = auth_token or f"dfns-sandbox-{secrets.token_urlsafe(32)}"
        self.demo_owners: tuple[str, ...] = DEMO_WALLETS
        self.signing = UserActionSigning(self.clock, self.auth_token)
        self._cred_id: str | None = None
        self._private_key_pem: str | None = None
        if credentials is None:
            self._private_key_pem, public = _new_key_pair()
            self._cred_id = new_id("cr")
            credentials = {self._cred_id: public}
        for cred_id, public_pem in credentials.items():
            self.register_credential(cred_id, public_pem)
        self.wallets = Wallets()
        self.stakes = StakeBook(self.wallets)
        self.allocations = AllocationBook(self.wallets)
        seed_demo(self.stakes, self.allocations, self.clock.now())
        routes = DfnsRoutes(
            clock=self.clock,
            signing=self.signing,
            stakes=self.stakes,
            allocations=self.allocations,
            requester={"userId": new_id("us"), "tokenId": new_id("to")},
            held_status=held_status,
        )
        self.app: Starlette = sandbox_app(routes.routes(), self.clock, self.faults)

    def register_credential(self, cred_id: str, public_key_pem: str) -> None:
        """Let another Key credential (Ed25519, ECDSA or RSA public PEM) sign."""
        self.signing.register_credential(cred_id, public_key_pem)

    def gateway_config(self, base_url: str) -> DfnsConfig:
        if self._cred_id is None or self._private_key_pem is None:
            raise RuntimeError(
                "this sandbox was given its credentials; "
                "it holds no private key to hand out"
            )
        return DfnsConfig(
            api_url=base_url,
            auth_token=SecretStr(self.auth_token),
            cred_id=self._cred_id,
            private_key_pem=SecretStr(self._private_key_pem),
        )

    async def start(self) -> None:
        """Nothing runs in the background: state follows the clock when read."""

    async def stop(self) -> None:
        """Nothing to release."""
