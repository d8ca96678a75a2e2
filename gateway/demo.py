"""The demo client of sandbox mode, linked to the sandboxes' seeded identities."""

from collections.abc import Mapping

from gateway.domain.enums import Provider
from gateway.store.store import Store
from providers.sandbox_kit.protocol import ProviderSandbox

DEMO_CLIENT_NAME = "demo"


async def ensure_demo_client(
    store: Store, sandboxes: Mapping[Provider, ProviderSandbox], fixed_key: str | None
) -> str:
    """Returns a working demo key: `fixed_key` if given, else a new one each start.

    Keys are stored hashed, so an earlier random key cannot be shown again: it is
    revoked and replaced.
    """
    identities = {
        provider: sandbox.demo_owners for provider, sandbox in sandboxes.items()
    }
    if fixed_key:
        if await store.clients.find_by_key(fixed_key) is None:
            await store.clients.create(DEMO_CLIENT_NAME, identities, key=fixed_key)
        return fixed_key
    for client in await store.clients.list():
        if client.name == DEMO_CLIENT_NAME and client.revoked_at is None:
            await store.clients.revoke(client.id)
    _, key = await store.clients.create(DEMO_CLIENT_NAME, identities)
    return key
