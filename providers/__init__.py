"""One package per staking provider: HTTP client, mapping to the common model, sandbox."""
