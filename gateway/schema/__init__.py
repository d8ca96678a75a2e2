"""The GraphQL layer: Strawberry types, queries, mutations, subscriptions, loaders."""
