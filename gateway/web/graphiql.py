"""GraphiQL as the gateway serves it: local assets, the demo key, a starter document.

Every script and style comes from `/static/graphiql/` (vendored from npm, see the README
there), so the page works on a machine without the internet and under a strict CSP.
The page's own code is `gateway-graphiql.js`; this module only hands it a JSON config.
"""

import html
import json
from pathlib import Path

from gateway.domain.enums import Provider
from gateway.schema.ids import NodeId

STATIC_DIR = Path(__file__).parent / "static"
ASSETS = "/static/graphiql"

# Scripts and styles only from this origin; inline styles because React and CodeMirror
# set them; connect to this origin only (fetch and WebSocket).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

_SANDBOX_TOUR = """\
# 3. Run WatchStakes, then move the Zerohash sandbox's
#    clock two days from a terminal:
#      curl -d '{"advance_seconds": 172800}' \\
#        <gateway>/sandbox/zerohash/_sandbox/clock
#    The stake's PENDING -> ACTIVE shows up on the right.
"""

_REAL_TOUR = """\
# 3. Run WatchStakes: status changes show up on the right
#    as the providers report them.
"""

_STARTER = """\
# staking-gateway: one GraphQL API over Dfns, Zerohash
# and Crocante. Your key is in the headers tab below.
#
# Run an operation: cursor in it + Ctrl-Enter, or pick it
# under the run button. Ctrl-Space completes; the docs
# (top left) describe every field, unit and status.
#
# 1. Run Overview: your portfolio, your newest stakes and
#    their rewards, and the products you can stake in.
# 2. Run CreateStake: its variables stake 1 ETH at
#    Zerohash (any StakingProduct id from Overview works).
#    Put the new id in "stakeId" to watch only that stake.
{tour}#
# RegisterWebhook: your back end hears of every change
# too, signed (the secret is answered once); see README.
# RewardsByMonth: your rewards per month and asset, in
# USD where priced. The rows of a year, as CSV, with the
# same key: <gateway>/exports/rewards.csv?from=<a year ago>
#
# Amounts are exact decimals sent as strings, in whole
# units ("1.5" ETH, never wei); times are UTC ISO 8601.
# A provider that cannot answer is listed under
# providerFailures; the rest of the answer stands.

query Overview {{
  portfolio {{
    stakeCount
    averageApy
    totals {{ provider asset {{ symbol }} staked unbonding rewards }}
    providerFailures {{ provider code message }}
  }}
  stakes(first: 10) {{
    edges {{
      node {{
        id
        provider
        providerStakeId
        status
        providerStatus
        asset {{ symbol }}
        amount
        apy
        rewardsEarned
        availableActions
        rewards(first: 3) {{
          edges {{ node {{ amount creditedAt cumulative }} }}
        }}
      }}
    }}
    pageInfo {{ hasNextPage endCursor }}
    providerFailures {{ provider code message retryable }}
  }}
  stakingProducts {{
    id
    provider
    providerProductId
    asset {{ symbol }}
    mode
    apy
    minAmount
    durationDays
    unstakingPeriodDays
  }}
}}

mutation CreateStake($input: CreateStakeInput!) {{
  createStake(input: $input) {{
    stake {{ id provider status providerStatus amount asset {{ symbol }} }}
    action {{ kind status }}
    userErrors {{ code message field }}
  }}
}}

mutation RegisterWebhook($webhookUrl: String!) {{
  createWebhookEndpoint(input: {{
    url: $webhookUrl
    eventTypes: [STAKE_STATUS_CHANGED, ACTION_STATUS_CHANGED, REWARD_RECEIVED]
  }}) {{
    endpoint {{ id url eventTypes enabled }}
    secret
    userErrors {{ code message field }}
  }}
}}

query RewardsByMonth {{
  rewardsSummary(groupBy: MONTH) {{
    totals {{ period asset amount usdValue usdComplete rewardCount }}
    providerFailures {{ provider code message }}
  }}
}}

subscription WatchStakes($stakeId: ID) {{
  stakeStatusChanged(stakeId: $stakeId) {{
    cursor
    previousStatus
    status
    providerStatus
    source
    occurredAt
    stake {{ id provider providerStakeId asset {{ symbol }} amount }}
  }}
}}
"""


def starter_document(*, sandbox: bool) -> str:
    """The document GraphiQL opens with: Overview, CreateStake, RegisterWebhook,
    RewardsByMonth and WatchStakes."""
    return _STARTER.format(tour=_SANDBOX_TOUR if sandbox else _REAL_TOUR)


def starter_variables() -> str:
    # Zerohash's ETH product: in the sandbox and at Zerohash alike.
    product = NodeId("StakingProduct", Provider.ZEROHASH, "", "ETH").encode()
    variables = {
        "input": {"productId": product, "amount": "1"},
        "stakeId": None,
        "webhookUrl": "<the https URL of your back end>",
    }
    return json.dumps(variables, indent=2)


def starter_headers(demo_key: str | None) -> str:
    key = demo_key or "<your API key: staking-gateway clients create --name ...>"
    return json.dumps({"Authorization": f"Bearer {key}"}, indent=2)


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element: no `</script>`, no `<!--`."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_graphiql(demo_key: str | None, subscriptions_url: str) -> str:
    """The GraphiQL page. `subscriptions_url` may be absolute (`ws://…/graphql`) or a
    path (`/graphql`), which the page resolves against its own origin (ws or wss)."""
    config = {
        "subscriptionsUrl": subscriptions_url,
        "headers": starter_headers(demo_key),
        "query": starter_document(sandbox=demo_key is not None),
        "variables": starter_variables(),
    }
    assets = html.escape(ASSETS, quote=True)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>staking-gateway · GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{assets}/graphiql.min.css">
    <link rel="stylesheet" href="{assets}/gateway-graphiql.css">
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script id="graphiql-config" type="application/json">{_script_json(config)}</script>
    <script src="{assets}/react.production.min.js"></script>
    <script src="{assets}/react-dom.production.min.js"></script>
    <script src="{assets}/graphql-ws.min.js"></script>
    <script src="{assets}/graphiql.min.js"></script>
    <script src="{assets}/gateway-graphiql.js"></script>
  </body>
</html>
"""
