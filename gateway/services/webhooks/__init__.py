"""Outbound webhooks for clients: registration, the fan-out from the outbox, sending."""
