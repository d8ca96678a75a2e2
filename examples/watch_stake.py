"""Watch a stake (or all of yours) change status, live, over the gateway's WebSocket.

    pip install "gql[websockets]"
    python examples/watch_stake.py --key "$STAKING_GATEWAY_KEY" [STAKE_ID]

Then move a sandbox clock, and the change prints:

    curl -d '{"advance_seconds": 172800}' localhost:8000/sandbox/zerohash/_sandbox/clock

Each event carries a cursor: pass the last one as --after to replay what was missed
while this client was away, then go on live.
"""

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

WATCH = (Path(__file__).parent / "operations" / "watch_stakes.graphql").read_text()


def websocket_url(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url.removeprefix("https://")
    if url.startswith("http://"):
        return "ws://" + url.removeprefix("http://")
    return url


def describe(event: dict[str, Any]) -> str:
    stake = event["stake"]
    before = event["previousStatus"] or "(new)"
    return (
        f"{event['occurredAt']}  {stake['provider']} {stake['amount']} "
        f"{stake['asset']['symbol']}  {before} -> {event['status']}  "
        f"({event['providerStatus']}, via {event['source']})  "
        f"stake {stake['id']}  cursor {event['cursor']}"
    )


async def watch(url: str, key: str, variables: dict[str, Any], count: int) -> None:
    transport = WebsocketsTransport(
        url=websocket_url(url),
        # The gateway authenticates a WebSocket by its connection_init payload.
        init_payload={"Authorization": f"Bearer {key}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    request = GraphQLRequest(WATCH, variable_values=variables)
    async with Client(transport=transport) as session:
        print(f"Watching {variables.get('stakeId') or 'all your stakes'}", flush=True)
        seen = 0
        async for result in session.subscribe(request):
            print(describe(result["stakeStatusChanged"]), flush=True)
            seen += 1
            if count and seen >= count:
                return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stake_id", nargs="?", help="a Stake id; omitted: every stake")
    parser.add_argument(
        "--url",
        default=os.environ.get("STAKING_GATEWAY_URL", "http://127.0.0.1:8000/graphql"),
    )
    parser.add_argument("--key", default=os.environ.get("STAKING_GATEWAY_KEY"))
    parser.add_argument("--after", help="replay events after this cursor first")
    parser.add_argument("--count", type=int, default=0, help="stop after N events")
    args = parser.parse_args()
    if not args.key:
        parser.error("give the API key with --key or STAKING_GATEWAY_KEY")
    variables = {"stakeId": args.stake_id, "after": args.after}
    try:
        asyncio.run(watch(args.url, args.key, variables, args.count))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
