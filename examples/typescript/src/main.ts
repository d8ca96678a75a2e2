// What the generated types buy: every field below is checked against the schema, so a
// schema change that breaks this page fails `npm run check` instead of the browser.
import { gateway } from "./client.js";
import {
  CreateStakeMutation,
  PortfolioQuery,
  WatchStakesSubscription,
} from "./operations.js";
import type { Provider, StakeStatus } from "./gql/graphql.js";

const api = gateway({
  url: "http://127.0.0.1:8000/graphql",
  apiKey: "sgw_demo_…",
  clientName: "typescript-example",
  clientVersion: "1.0.0",
});

export async function overview(): Promise<string[]> {
  const { portfolio, stakes } = await api.request(PortfolioQuery, { first: 5 });
  const count: number = portfolio.stakeCount;
  const lines = [`${count} stakes, average APY ${portfolio.averageApy ?? "n/a"}`];
  for (const { node } of stakes.edges) {
    const provider: Provider = node.provider;
    const status: StakeStatus = node.status;
    const amount: string = node.amount; // a Decimal: exact, as a string
    lines.push(`${provider} ${node.asset.symbol} ${amount} ${status} ${node.createdAt}`);
  }
  return lines;
}

export async function stake(productId: string, amount: string): Promise<string> {
  const { createStake } = await api.request(CreateStakeMutation, {
    input: { productId, amount, externalId: `order-${Date.now()}` },
  });
  const refused = createStake.userErrors[0];
  if (refused) return `refused: ${refused.code} ${refused.message}`;
  if (!createStake.stake) return "no stake";
  return `${createStake.stake.id} is ${createStake.stake.status}`;
}

export function watch(stakeId: string, onStatus: (line: string) => void): () => void {
  return api.subscribe(WatchStakesSubscription, { stakeId }, (data) => {
    const event = data.stakeStatusChanged;
    const from: StakeStatus | null | undefined = event.previousStatus;
    onStatus(`${event.stake.id}: ${from ?? "new"} -> ${event.status} (${event.cursor})`);
  });
}
