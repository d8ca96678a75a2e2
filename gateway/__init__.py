"""staking-gateway: one GraphQL API over the Dfns, Zerohash and Crocante staking providers."""
