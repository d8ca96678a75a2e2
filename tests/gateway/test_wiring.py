"""How the gateway's provider clients are built (gateway/wiring.py)."""

import httpx
import pytest

from gateway.domain.enums import Provider
from gateway.security.upstream import DEFAULT_MAX_RESPONSE_BYTES
from gateway.settings import Settings
from gateway.wiring import ProviderClient, _client
from tests.gateway.scripted import Seen, answer, scripted_server  # noqa: F401


async def test_a_provider_client_keeps_no_cookie_a_provider_sets() -> None:
    sent: list[str | None] = []

    def provider(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"Set-Cookie": "session=planted; Path=/"})

    async with ProviderClient(
        transport=httpx.MockTransport(provider), base_url="http://provider.test/"
    ) as http:
        await http.get("login")
        await http.get("stakes")
        assert len(http.cookies) == 0
        with pytest.raises(TypeError):
            http.cookies = {"a": "b"}
    assert sent == [None, None]


async def test_a_provider_client_sends_every_url_as_httpx_builds_it() -> None:
    seen: list[str] = []

    def provider(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200)

    asked = [
        ("stakes/wa-1", {"limit": 500}),
        ("stakes/wa-1", {"limit": 500}),
        ("stakes/wa-1", {"limit": 500, "paginationToken": "t 1"}),
        ("stakes/wa-2", None),
        ("stakes/wa-2", None),
        ("flags", {"on": True}),
        ("flags", {"on": 1}),
        ("flags", {"on": 1.0}),
        ("many", {"id": ["a", "b"]}),
        ("/rooted?x=1", {"y": "2"}),
    ]
    transport = httpx.MockTransport(provider)
    base = "http://provider.test/api/"
    async with httpx.AsyncClient(transport=transport, base_url=base) as plain:
        expected = [str(plain.build_request("GET", u, params=p).url) for u, p in asked]
    async with ProviderClient(transport=transport, base_url=base) as http:
        for url, params in asked:
            await http.get(url, params=params)
    assert seen == expected
    assert seen[5] != seen[6] and seen[2].endswith("paginationToken=t+1")


async def test_the_default_provider_transport_caps_size_and_time(serve) -> None:
    async def huge(seen: Seen) -> bytes:
        if seen.target == "/slow":
            return b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nab"
        return answer(b"z" * (DEFAULT_MAX_RESPONSE_BYTES + 1))

    server = await serve(huge)
    settings = Settings(PROVIDER_TIMEOUT_SECONDS=0.3)
    async with _client(
        server.url, settings, None, {}, Provider.DFNS, tracing=False
    ) as http:
        with pytest.raises(httpx.ReadError):
            await http.get("big")
        with pytest.raises(httpx.ReadTimeout):
            await http.get("slow")
