#!/bin/sh
# A year of your rewards as CSV, streamed, with the same API key as GraphQL:
#   KEY=sgw_… sh examples/export_rewards.sh [GATEWAY_URL] > rewards.csv
# Columns: date, provider, stake, asset, amount, usd_value, usd_source ("provider" when
# the provider priced it), running_total (true for Dfns/Crocante's totals to date).
# Add &provider=ZEROHASH or &asset=ETH to narrow it; the same rows as JSON pages:
#   /exports/rewards.json?from=…&first=500, then &after=<pageInfo.endCursor>.
set -eu
GATEWAY="${1:-http://127.0.0.1:8000}"
FROM="$(date -u -d '1 year ago' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v-1y +%Y-%m-%dT%H:%M:%SZ)"
curl --fail --silent --show-error --get \
  -H "Authorization: Bearer ${KEY:?set KEY to your API key}" \
  --data-urlencode "from=${FROM}" \
  "${GATEWAY}/exports/rewards.csv"
