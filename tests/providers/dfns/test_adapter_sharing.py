"""Dfns lists the whole organisation: callers for different wallets in flight together
share one walk of it, and each reads only its own wallets' stakes."""

import asyncio

import httpx

from gateway.services.coalescing import Coalescer
from providers.dfns import DfnsAdapter
from tests.providers.dfns.fakes import FakeDfns, config, stake_json

MINE = "wa-mine0-00000-00000000000000"
YOURS = "wa-your0-00000-00000000000000"


def organisation(release: asyncio.Event, lists: list[httpx.Request]) -> FakeDfns:
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/rewards"):
            return httpx.Response(200, json={"symbol": "ETH", "balance": "1"})
        lists.append(request)
        await release.wait()
        items = [
            stake_json(id="stk-aaaaa-aaaaa-aaaaaaaaaaaaaaaa", walletId=MINE),
            stake_json(id="stk-bbbbb-bbbbb-bbbbbbbbbbbbbbbb", walletId=YOURS),
            stake_json(
                id="stk-ccccc-ccccc-cccccccccccccccc",
                walletId="wa-other-00000-00000000000000",
                status=7,
            ),
        ]
        return httpx.Response(200, json={"items": items})

    return FakeDfns(handler)


async def until(check, within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if check():
                return
            await asyncio.sleep(0)


async def test_callers_for_different_wallets_share_one_walk_of_the_list() -> None:
    release, lists = asyncio.Event(), []
    coalescer = Coalescer()

    async def shared(key, read):
        return await coalescer.run(key, read)

    http = httpx.AsyncClient(
        transport=httpx.MockTransport(organisation(release, lists)),
        base_url="http://dfns",
    )
    adapter = DfnsAdapter(http, config(), shared=shared)
    async with http:
        mine = asyncio.ensure_future(adapter.list_stakes([MINE]))
        yours = asyncio.ensure_future(adapter.list_stakes([YOURS]))
        await until(lambda: coalescer.coalesced == 1 and len(lists) == 1)
        release.set()
        got = await asyncio.gather(mine, yours)
    assert [[s.owner for s in stakes] for stakes in got] == [[MINE], [YOURS]]
    assert len(lists) == 1


async def test_without_sharing_each_caller_walks_the_list() -> None:
    release, lists = asyncio.Event(), []
    release.set()
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(organisation(release, lists)),
        base_url="http://dfns",
    )
    adapter = DfnsAdapter(http, config())
    async with http:
        got = await asyncio.gather(
            adapter.list_stakes([MINE]), adapter.list_stakes([YOURS])
        )
    assert [[s.owner for s in stakes] for stakes in got] == [[MINE], [YOURS]]
    assert len(lists) == 2
