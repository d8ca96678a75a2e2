"""Reading an incremental answer as clients do: multipart parts, SSE events, WS messages,
each with the time it arrived."""

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.gateway.conftest import DEMO_KEY
from tests.gateway.ws import subscriber

AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}
APOLLO_ACCEPT = "multipart/mixed;deferSpec=20220824,application/json"


@dataclass
class Received:
    status: int
    content_type: str
    payloads: list[dict[str, Any]] = field(default_factory=list)
    # Seconds from sending the request to each payload's arrival.
    arrived: list[float] = field(default_factory=list)


async def multipart(
    http: httpx.AsyncClient,
    query: str,
    variables: dict | None = None,
    *,
    accept: str = APOLLO_ACCEPT,
) -> Received:
    """POST `query` and read the parts as they come (RFC 2046, as Apollo Client does)."""
    started = time.monotonic()
    body = {"query": query, "variables": variables or {}}
    headers = {**AUTH, "Accept": accept}
    async with http.stream("POST", "/graphql", json=body, headers=headers) as response:
        received = Received(response.status_code, response.headers["content-type"])
        if not received.content_type.startswith("multipart/mixed"):
            received.payloads.append(json.loads(await response.aread()))
            received.arrived.append(time.monotonic() - started)
            return received
        delimiter = "\r\n---"
        buffer = ""
        opened = False
        async for chunk in response.aiter_text():
            buffer += chunk
            if not opened and len(buffer) >= 3:
                assert buffer.startswith("---\r\n"), buffer[:20]
                buffer, opened = "\r\n" + buffer, True
            while opened and (end := buffer.find(delimiter, 1)) > -1:
                part, buffer = buffer[:end], buffer[end:]
                head, _, text = part.lstrip("\r\n-").partition("\r\n\r\n")
                assert "content-type: application/json" in head.lower(), head
                received.payloads.append(json.loads(text))
                received.arrived.append(time.monotonic() - started)
        assert buffer == "\r\n-----\r\n", repr(buffer)  # the closing delimiter
    return received


async def event_stream(http: httpx.AsyncClient, query: str) -> Received:
    started = time.monotonic()
    headers = {**AUTH, "Accept": "text/event-stream"}
    body = {"query": query}
    async with http.stream("POST", "/graphql", json=body, headers=headers) as response:
        received = Received(response.status_code, response.headers["content-type"])
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "next":
                received.payloads.append(json.loads(line.removeprefix("data: ")))
                received.arrived.append(time.monotonic() - started)
            elif line.startswith("data") and event == "complete":
                break
    return received


async def transport_ws(url: str, query: str) -> list[dict[str, Any]]:
    """The messages of one operation, `complete` included."""
    messages = []
    async with subscriber(url, DEMO_KEY) as client:
        await client.subscribe(query)
        while True:
            message = await client.next_message(within=20)
            messages.append(message)
            if message["type"] != "next":
                return messages
