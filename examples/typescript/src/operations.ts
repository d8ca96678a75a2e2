// The operations this client sends. `graphql()` is generated (src/gql/) from these very
// documents: each returns a TypedDocumentNode carrying its result and variables types.
import { graphql } from "./gql/index.js";

export const PortfolioQuery = graphql(`
  query Portfolio($first: Int) {
    portfolio {
      stakeCount
      averageApy
      totals { provider asset { symbol } staked rewards }
    }
    stakes(first: $first) {
      edges { node { id provider status amount asset { symbol } createdAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CreateStakeMutation = graphql(`
  mutation CreateStake($input: CreateStakeInput!) {
    createStake(input: $input) {
      stake { id provider status amount }
      userErrors { code message field }
    }
  }
`);

export const WatchStakesSubscription = graphql(`
  subscription WatchStakes($stakeId: ID) {
    stakeStatusChanged(stakeId: $stakeId) {
      cursor
      previousStatus
      status
      occurredAt
      stake { id provider amount }
    }
  }
`);
