"""Server pings on `graphql-transport-ws`: Strawberry only answers the client's pings.

An idle subscriber behind a load balancer is cut after the balancer's idle timeout; a
ping from our side every few seconds keeps the connection (and tells a dead one apart).
"""

import asyncio
from contextlib import suppress
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)


class PingingTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    ping_interval: float = 15.0

    async def handle(self) -> None:
        pinger = asyncio.create_task(self._ping_forever())
        try:
            await super().handle()
        finally:
            pinger.cancel()
            with suppress(asyncio.CancelledError):
                await pinger

    async def _ping_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ping_interval)
            if self.connection_acknowledged:
                try:
                    await self.send_message({"type": "ping"})
                except Exception:  # the socket closed under us: handle() ends too
                    return
