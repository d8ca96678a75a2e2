"""How the gateway's provider clients are built (gateway/wiring.py)."""

import httpx
import pytest

from gateway.wiring import ProviderClient


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
