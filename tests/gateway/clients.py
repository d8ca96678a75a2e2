"""Making API clients for end-to-end tests, straight in the running gateway's database."""

from gateway.domain.enums import Provider
from gateway.store.clients import ClientStore
from gateway.store.engine import create_engine


async def new_client(gateway, name: str, identities: dict[Provider, list[str]]) -> str:
    engine = create_engine(gateway.app.state.settings.effective_database_url)
    try:
        _, key = await ClientStore(engine).create(name, identities)
    finally:
        await engine.dispose()
    return key
