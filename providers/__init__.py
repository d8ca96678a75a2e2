"""One package per staking provider: its HTTP client, its mapping to the common model, its sandbox."""
