"""A minimal GraphQL-over-WebSocket client for tests (both subprotocols)."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets


class Subscriber:
    def __init__(self, socket: Any, protocol: str) -> None:
        self.socket = socket
        self.protocol = protocol
        self.pings = 0

    async def subscribe(
        self, query: str, variables: dict | None = None, op_id: str = "1"
    ):
        kind = "subscribe" if self.protocol == "graphql-transport-ws" else "start"
        await self.socket.send(
            json.dumps(
                {
                    "id": op_id,
                    "type": kind,
                    "payload": {"query": query, "variables": variables or {}},
                }
            )
        )

    async def next_message(self, within: float = 10.0) -> dict:
        async with asyncio.timeout(within):
            while True:
                message = json.loads(await self.socket.recv())
                if message["type"] in ("ping", "ka"):
                    self.pings += 1
                    if message["type"] == "ping":
                        await self.socket.send(json.dumps({"type": "pong"}))
                    continue
                return message

    async def next_data(self, within: float = 10.0) -> dict:
        message = await self.next_message(within)
        assert message["type"] in ("next", "data"), message
        payload = message["payload"]
        assert "errors" not in payload or not payload["errors"], payload
        return payload["data"]


@asynccontextmanager
async def subscriber(
    base_url: str, key: str | None, protocol: str = "graphql-transport-ws"
) -> AsyncIterator[Subscriber]:
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=[protocol]) as socket:
        payload = {"Authorization": f"Bearer {key}"} if key else {}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        client = Subscriber(socket, protocol)
        ack = await client.next_message()
        assert ack["type"] == "connection_ack", ack
        yield client
