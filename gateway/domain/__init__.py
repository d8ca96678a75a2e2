"""The common model: provider-neutral, stdlib only."""
