"""What several scenarios share: request specs for the load generator, call arithmetic."""

import json
from collections.abc import Mapping
from typing import Any

GRAPHQL_BAD = ['"errors":', '"providerFailures":[{']
# Dfns has no list of rewards: one call per stake is the provider API's shape, and the
# count moves as the sandbox's stakes change status.
# Dfns has no batch read for these: one call per stake, each cached (rewards, and actions
# where a listed stake does not carry them, PROVIDERS.md 1.3).
PER_ITEM_BY_API = (
    "GET /sandbox/dfns/staking/stakes/{id}/rewards",
    "GET /sandbox/dfns/staking/stakes/{id}/actions",
)


def graphql_request(
    key: str, query: str, variables: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "method": "POST",
        "path": "/graphql",
        "headers": {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
        },
        "body": json.dumps({"query": query, "variables": dict(variables or {})}),
    }


def clean(result: Mapping[str, Any]) -> bool:
    """No transport error, no non-200, no GraphQL error and no provider failure."""
    return bool(
        result["errors"] == 0
        and result["bad"] == 0
        and result["completed"] == result["scheduled"]
    )


def per_request(
    counts: Mapping[str, Mapping[str, int]], requests: int
) -> dict[str, dict[str, float]]:
    return {
        provider: {
            endpoint: round(n / requests, 2) for endpoint, n in sorted(calls.items())
        }
        for provider, calls in counts.items()
    }


def totals(calls: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    return {provider: round(sum(by.values()), 2) for provider, by in calls.items()}
