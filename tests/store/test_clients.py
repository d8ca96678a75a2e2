"""API clients: keys shown once, stored hashed, revocable, linked to identities."""

from gateway.domain.enums import Provider
from gateway.store.clients import hash_key


async def test_a_created_key_authenticates_as_its_client_with_its_identities(store):
    record, key = await store.clients.create(
        "frontend", {Provider.DFNS: ["wa-1", "wa-2"], Provider.CROCANTE: ["alice"]}
    )
    caller = await store.clients.authenticate(key)
    assert caller is not None
    assert caller.client_id == record.id
    assert caller.owners(Provider.DFNS) == ("wa-1", "wa-2")
    assert caller.owners(Provider.CROCANTE) == ("alice",)
    assert caller.owners(Provider.ZEROHASH) == ()


async def test_a_client_without_identities_authenticates_linked_to_nothing(store):
    record, key = await store.clients.create("new", {})
    await store.clients.create("other", {Provider.DFNS: ["wa-other"]})
    caller = await store.clients.authenticate(key)
    assert caller is not None and caller.client_id == record.id
    assert caller.identities == {} and caller.providers == ()


async def test_the_key_itself_is_never_stored(store):
    _, key = await store.clients.create("frontend", {})
    async with store.engine.connect() as connection:
        from sqlalchemy import text

        rows = (
            await connection.execute(
                text("SELECT key_hash, key_prefix FROM api_client")
            )
        ).all()
    assert rows[0].key_hash == hash_key(key)
    assert key not in {rows[0].key_hash, rows[0].key_prefix}
    assert key.startswith(rows[0].key_prefix)


async def test_a_wrong_or_revoked_key_authenticates_nobody(store):
    record, key = await store.clients.create("frontend", {})
    assert await store.clients.authenticate(key + "x") is None
    assert await store.clients.revoke(record.key_prefix) == 1
    assert await store.clients.authenticate(key) is None
    assert await store.clients.revoke(record.id) == 0


async def test_a_fixed_key_can_be_chosen_for_the_demo_client(store):
    await store.clients.create("demo", {Provider.CROCANTE: ["demo"]}, key="demo-key-1")
    caller = await store.clients.authenticate("demo-key-1")
    assert caller is not None and caller.name == "demo"
