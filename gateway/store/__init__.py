"""Persistence: API clients, idempotency records, status history, webhook events."""
