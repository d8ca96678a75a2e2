"""One authenticator, one cache: a key or a token costs one store read, however many
requests ask for it at once; a credential that names nobody is never remembered."""

import asyncio

from gateway.domain.caller import Caller, ClientClaim
from gateway.domain.enums import Provider
from gateway.services.authentication import Authenticator
from tests.waiting import eventually


class GatedClients:
    """The real client store, counting reads and holding them until `gate` opens."""

    def __init__(self, clients) -> None:
        self.clients = clients
        self.gate = asyncio.Event()
        self.reads = 0

    async def authenticate(self, key: str) -> Caller | None:
        self.reads += 1
        await self.gate.wait()
        return await self.clients.authenticate(key)

    async def caller_for_claim(self, claim: ClientClaim) -> Caller | None:
        self.reads += 1
        await self.gate.wait()
        return await self.clients.caller_for_claim(claim)


class ClaimsById:
    async def verify(self, token: str) -> ClientClaim | None:
        return ClientClaim("id", token.removeprefix("jwt."))


async def test_concurrent_authentications_of_one_key_cost_one_store_read(store):
    record, key = await store.clients.create("burst", {Provider.DFNS: ["wa-1"]})
    clients = GatedClients(store.clients)
    authenticator = Authenticator(clients)
    n = 32
    tasks = [asyncio.create_task(authenticator.authenticate(key)) for _ in range(n)]

    async def all_waiting() -> bool:
        return authenticator.shared == n - 1

    await eventually(all_waiting)
    clients.gate.set()
    callers = await asyncio.gather(*tasks)
    assert clients.reads == 1
    assert {c.client_id for c in callers if c is not None} == {record.id}
    assert all(c is not None and c.owners(Provider.DFNS) == ("wa-1",) for c in callers)
    assert await authenticator.authenticate(key) == callers[0]
    assert clients.reads == 1


async def test_concurrent_jwts_naming_one_client_cost_one_claim_read(store):
    record, _ = await store.clients.create("tokens", {Provider.CROCANTE: ["alice"]})
    clients = GatedClients(store.clients)
    clients.gate.set()
    authenticator = Authenticator(clients)
    token = f"jwt.{record.id}"
    callers = await asyncio.gather(
        *(authenticator.authenticate(token, ClaimsById()) for _ in range(8))
    )
    assert {c.client_id for c in callers if c is not None} == {record.id}
    # One read of the key (it is no key), then one of the claim, shared by all eight.
    assert clients.reads == 2


async def test_a_waiter_cancelled_does_not_cancel_the_others_look_up(store):
    record, key = await store.clients.create("cancel", {Provider.DFNS: ["wa-2"]})
    clients = GatedClients(store.clients)
    authenticator = Authenticator(clients)
    first = asyncio.create_task(authenticator.caller_for(key))
    second = asyncio.create_task(authenticator.caller_for(key))

    async def both_waiting() -> bool:
        return authenticator.shared == 1

    await eventually(both_waiting)
    first.cancel()
    clients.gate.set()
    caller = await second
    assert caller is not None and caller.client_id == record.id
    assert clients.reads == 1


async def test_an_unknown_key_is_not_remembered(store):
    clients = GatedClients(store.clients)
    clients.gate.set()
    authenticator = Authenticator(clients)
    assert await authenticator.authenticate("sgw_nope_unknown") is None
    _, key = await store.clients.create("late", {}, key="sgw_nope_unknown")
    caller = await authenticator.authenticate(key)
    assert caller is not None and caller.name == "late"
    assert clients.reads == 2
