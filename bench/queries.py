"""The GraphQL documents the scenarios send."""

TRIVIAL = "{ __typename }"

# S2: one round of parallel upstream reads — stakes, products and rewards side by side.
FANOUT = """query Fanout {
  stakes(first: 20) {
    edges { node { id provider status amount asset { symbol } } }
    providerFailures { provider code }
  }
  stakingProducts { id provider apy minAmount }
  rewards(first: 20) {
    edges { node { id amount creditedAt } }
    providerFailures { provider code }
  }
}"""

# S3: a page of stakes with nested fields that each need another upstream round.
NESTED = """query Nested($first: Int!, $after: String) {
  stakes(first: $first, after: $after) {
    edges { node {
      id provider status amount createdAt asset { symbol }
      product { id apy mode }
      rewards(first: 5) { edges { node { amount creditedAt } } providerFailures { provider code } }
      actions { kind status }
      statusHistory { to at }
    } }
    pageInfo { hasNextPage endCursor }
    providerFailures { provider code }
  }
}"""

# S4: six scalar fields per stake.
SIX_FIELDS = """query Six($first: Int!, $after: String) {
  stakes(first: $first, after: $after) {
    edges { node { id provider status amount createdAt providerStatus } }
    pageInfo { hasNextPage endCursor }
  }
}"""

PRODUCTS = """{ stakingProducts {
  id provider providerProductId minAmount requiresValidator } }"""

ACCEPT_TERMS = """mutation($p: Provider!) {
  acceptStakingTerms(provider: $p) { accepted userErrors { code message } } }"""

CREATE_STAKE = """mutation($input: CreateStakeInput!) {
  createStake(input: $input) { stake { id status } userErrors { code message } } }"""

SUBSCRIPTION = """subscription { stakeStatusChanged {
  cursor status source stake { id provider status amount } } }"""

REGISTER_WEBHOOK = """mutation($url: String!) {
  createWebhookEndpoint(input: {url: $url, eventTypes: [REWARD_RECEIVED]}) {
    endpoint { id } secret userErrors { code message } } }"""

ZEROHASH_PRODUCTS = """{ stakingProducts(provider: ZEROHASH) {
  id asset { symbol } minAmount } }"""
