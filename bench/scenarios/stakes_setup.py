"""Gives a fresh bench client exactly `n` stakes, spread over the three providers, through
the gateway's own createStake mutation."""

import asyncio
import hashlib
from typing import Any

from bench import queries
from bench.cluster import Cluster
from gateway.domain.enums import Provider

# Small amounts, so a fresh identity's starting balance covers a few hundred stakes.
DEFAULT_AMOUNT = "0.01"
# A product listed for its existing stakes that takes no new ones (Dfns Babylon).
CLOSED = "UNSUPPORTED_ACTION"


def identities(tag: str) -> dict[Provider, list[str]]:
    digits = str(int(hashlib.sha256(tag.encode()).hexdigest(), 16))[:14]
    return {
        Provider.DFNS: [f"wa-bench-{digits[:5]}-{digits}"],
        Provider.ZEROHASH: [f"B{digits[:5]}"],
        Provider.CROCANTE: [f"bench-{tag}"],
    }


async def _create(
    cluster: Cluster, key: str, products: list[dict[str, Any]], count: int
) -> list[str]:
    errors: list[str] = []
    products = list(products)
    made = 0
    while made < count and products:
        product = products[made % len(products)]
        data = await cluster.graphql(
            key,
            queries.CREATE_STAKE,
            {
                "input": {
                    "productId": product["id"],
                    "amount": product["minAmount"] or DEFAULT_AMOUNT,
                }
            },
        )
        problems = data["createStake"]["userErrors"]
        if problems and problems[0]["code"] == CLOSED:
            products.remove(product)  # listed, but takes no new stakes
            continue
        if problems:
            errors.append(f"{product['providerProductId']}: {problems[0]['message']}")
            if len(errors) > 3:
                break
        made += 1
    if made < count and not products:
        errors.append("no product of this provider takes new stakes")
    return errors


async def client_with_stakes(
    cluster: Cluster, tag: str, n: int
) -> tuple[str, list[str]]:
    """A new client holding exactly `n` stakes; returns its key and any refusals."""
    key = await cluster.create_client(f"bench-{tag}", identities(tag))
    await cluster.graphql(key, queries.ACCEPT_TERMS, {"p": "ZEROHASH"})
    catalog = (await cluster.graphql(key, queries.PRODUCTS))["stakingProducts"]
    by_provider = {
        p.value: [
            x
            for x in catalog
            if x["provider"] == p.value and not x["requiresValidator"]
        ]
        for p in Provider
    }
    share = {"DFNS": n // 3, "ZEROHASH": n // 3}
    share["CROCANTE"] = n - sum(share.values())
    found = await asyncio.gather(
        *(_create(cluster, key, by_provider[p], share[p]) for p in share)
    )
    return key, [e for errors in found for e in errors]


async def walk(
    cluster: Cluster, key: str, query: str, page: int
) -> tuple[list[str | None], list[str]]:
    """Every page's `after` cursor (None first) and every stake id, in order."""
    cursors: list[str | None] = [None]
    ids: list[str] = []
    for _ in range(1000):
        data = (
            await cluster.graphql(key, query, {"first": page, "after": cursors[-1]})
        )["stakes"]
        ids += [edge["node"]["id"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            return cursors, ids
        cursors.append(data["pageInfo"]["endCursor"])
    raise AssertionError("the stake list never ended")
