"""Helpers for the Crocante tests: sandbox logins and a scripted fake Crocante."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from providers.crocante import CrocanteAdapter, CrocanteConfig

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "sandbox-password"
BASE_URL = "http://sandbox"


async def login(
    http: httpx.AsyncClient, username: str = "alice", password: str = PASSWORD
) -> dict[str, str]:
    """Headers that authenticate as `username` on the sandbox."""
    response = await http.post(
        "auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['token']}"}


Handler = Callable[[httpx.Request], httpx.Response]


def mock_config(**overrides: Any) -> CrocanteConfig:
    values: dict[str, Any] = {"base_url": "http://crocante/v1/", "username": "alice"}
    values.update(overrides)
    return CrocanteConfig(**values)


def ok(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": data, "status": status})


def with_login(handler: Handler, token: str = "tok-1") -> Handler:
    """A fake Crocante: logins succeed, everything else is `handler`'s to answer."""

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            return ok({"token": token})
        return handler(request)

    return route


def position_json(op_id: str = "op_1", **overrides: Any) -> dict[str, Any]:
    """A position as the seed writes it, with overrides at the top level."""
    body: dict[str, Any] = {
        "typeId": "stake_btc_fixed_90",
        "startsAt": "2026-01-15T10:30:00Z",
        "redeemableAt": "2026-04-15T10:30:00Z",
        "initialAmount": "0.5",
        "initialAPY": "0.08",
        "operation": {
            "id": op_id,
            "creatorId": "user_123",
            "ownerId": "user_123",
            "openedAt": "2026-01-15T10:30:00Z",
            "updatedAt": "2026-03-12T14:20:00Z",
            "closedAt": None,
            "status": "Active",
            "type": "STAKE",
            "fullType": "STAKE_FIXED",
        },
        "type": {
            "id": "stake_btc_fixed_90",
            "currencyId": "BTC",
            "mode": "FIXED",
            "apy": "0.08",
            "minAmount": "0.001",
            "durationDays": 90,
        },
        "amount": "0.5",
        "yield": "0.00987",
        "estRedeemYield": "0.01096",
        "apy": "0.08",
    }
    body.update(overrides)
    return body


def mock_adapter(
    client: httpx.AsyncClient, now: datetime = START, **overrides: Any
) -> CrocanteAdapter:
    return CrocanteAdapter(client, mock_config(**overrides), now=lambda: now)


def mock_client(handler: Handler, *, interleave: bool = False) -> httpx.AsyncClient:
    transport: httpx.AsyncBaseTransport = httpx.MockTransport(handler)
    if interleave:
        transport = InterleavingTransport(transport)
    return httpx.AsyncClient(transport=transport, base_url="http://crocante/v1/")


class InterleavingTransport(httpx.AsyncBaseTransport):
    """ASGITransport never suspends, so concurrent calls would run one after the other;
    this one yields to the loop before each request, as a real network does."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)
        return await self._inner.handle_async_request(request)
