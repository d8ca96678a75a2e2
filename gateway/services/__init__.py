"""Use cases over the providers and the store: fan-out, merging, mutations, status."""
