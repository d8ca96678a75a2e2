"""A write the provider refuses for our own credentials is a typed error, sent once."""

from dataclasses import replace
from decimal import Decimal

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider, UserErrorCode
from gateway.events import MemoryBus
from gateway.services.commands import StakingCommands
from gateway.services.provider_set import ProviderSet
from gateway.services.reads import StakingReader
from gateway.services.status_feed import StatusFeed
from providers.dfns import DfnsAdapter
from providers.dfns.sandbox import DfnsSandbox
from providers.sandbox_kit import SimulatedClock

WALLET = "wa-refus-00000-00000000000000"


def another_key() -> SecretStr:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SecretStr(pem.decode())


async def test_a_stake_signed_with_the_wrong_key_is_refused_typed_and_not_retried(
    store,
):
    sandbox = DfnsSandbox(clock=SimulatedClock(time_scale=0))
    sent: list[str] = []

    async def count(request: httpx.Request) -> None:
        sent.append(f"{request.method} {request.url.path}")

    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://sandbox/",
        event_hooks={"request": [count]},
    ) as http:
        wrong = replace(
            sandbox.gateway_config("http://sandbox/"), private_key_pem=another_key()
        )
        providers = ProviderSet({Provider.DFNS: DfnsAdapter(http, wrong)})
        reader = StakingReader(providers)
        bus = MemoryBus()
        await bus.connect()
        commands = StakingCommands(
            providers, reader, store.idempotency, StatusFeed(store, bus)
        )
        caller = Caller("c1", "client", {Provider.DFNS: (WALLET,)})
        outcome = await commands.create_stake(
            caller,
            provider=Provider.DFNS,
            product_id="Ethereum:Figment",
            amount=Decimal("1"),
            wallet_id=None,
            validator=None,
            external_id=None,
        )
        await bus.disconnect()
    assert outcome.result is None
    assert [e.code for e in outcome.errors] == [UserErrorCode.PROVIDER_UNAVAILABLE]
    assert "AUTH_FAILED" in outcome.errors[0].message
    # One signing attempt: the user action is refused, and nothing is retried.
    assert sent.count("POST /auth/action") == 1
    assert not any(s.startswith("POST /staking/stakes") for s in sent)
