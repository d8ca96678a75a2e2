"""The security middleware as plain ASGI: body caps, 429s, connection slots."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.security import Guard, RateLimited, SecurityMiddleware
from gateway.security.connections import ConnectionLimiter, current_connection


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"size": len(await request.body())})


async def limited(request: Request) -> JSONResponse:
    raise RateLimited(1.5)


def client(max_body_bytes: int = 100) -> httpx.AsyncClient:
    # As app.py places it: a user middleware, inside Starlette's error handling.
    security = Middleware(
        SecurityMiddleware, guard=Guard(), max_body_bytes=max_body_bytes
    )
    app = Starlette(
        routes=[
            Route("/graphql", echo, methods=["POST"]),
            Route("/graphql/limited", limited, methods=["POST"]),
            Route("/other", echo, methods=["POST"]),
        ],
        middleware=[security],
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    )


async def test_a_body_within_the_cap_reaches_the_app_whole():
    async with client() as http:
        response = await http.post("/graphql", content=b"x" * 100)
    assert response.json() == {"size": 100}


async def test_a_body_over_the_cap_is_413_whether_declared_or_streamed():
    async def chunks():
        for _ in range(5):
            yield b"x" * 30

    async with client() as http:
        declared = await http.post("/graphql", content=b"x" * 101)
        streamed = await http.post("/graphql", content=chunks())
    assert declared.status_code == streamed.status_code == 413
    assert declared.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_paths_outside_the_cap_are_not_capped():
    async with client() as http:
        response = await http.post("/other", content=b"x" * 1000)
    assert response.json() == {"size": 1000}


async def test_rate_limited_becomes_429_with_a_whole_retry_after():
    async with client() as http:
        response = await http.post("/graphql/limited", content=b"{}")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"


def test_a_connection_slot_is_released_however_the_connection_ends():
    limiter = ConnectionLimiter(1)
    with pytest.raises(RuntimeError, match="boom"), limiter.connection():
        assert limiter.claim("c1")
        assert current_connection().client_id == "c1"
        raise RuntimeError("boom")
    assert limiter.open_count("c1") == 0
    with limiter.connection():
        assert limiter.claim("c1")
        with limiter.connection():
            assert not limiter.claim("c1")
            assert limiter.claim("c2")
    assert current_connection() is None


def test_claiming_outside_a_slot_is_a_wiring_error_when_capped():
    with pytest.raises(RuntimeError, match="SecurityMiddleware"):
        ConnectionLimiter(2).claim("c1")
    assert ConnectionLimiter(0).claim("c1")
