"""HTTP endpoints beside GraphQL: webhooks, health, metrics."""
