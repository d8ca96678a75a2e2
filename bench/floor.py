"""The floor as a client of the slowest provider sees it, measured rather than assumed.

The injected latency is only part of an upstream's answer time: the sandbox also builds
and sends its answer. Reading the slowest provider's lists directly, the way the gateway
reads them (Crocante: active and redeemed positions side by side), from this process,
gives what any client would wait for; what the gateway adds is the rest.
"""

import asyncio
import time

import httpx
from pydantic import SecretStr

from bench.cluster import Cluster
from bench.stats import latency_summary
from providers.crocante.client import CrocanteClient, PositionList
from providers.crocante.config import CrocanteConfig


async def crocante_direct(cluster: Cluster, rounds: int = 40) -> dict[str, float]:
    base_url = f"{cluster.host_url}/sandbox/crocante/"
    config = CrocanteConfig(
        base_url=base_url,
        username=None,
        password=SecretStr(cluster.creds.crocante_password),
        login_any_owner=True,
    )
    owner = cluster.demo_owners["crocante"][0]
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        client = CrocanteClient(http, config)
        auth = client.auth_for(owner)
        await client.list_positions(auth, PositionList.ACTIVE)  # logged in, warm
        took = []
        for _ in range(rounds):
            began = time.perf_counter()
            await asyncio.gather(
                client.list_positions(auth, PositionList.ACTIVE),
                client.list_positions(auth, PositionList.REDEEMED),
            )
            took.append((time.perf_counter() - began) * 1000)
    return latency_summary(took)
