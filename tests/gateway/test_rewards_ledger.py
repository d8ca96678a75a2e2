"""The rewards ledger through the real HTTP stack: `rewardsSummary`, the streamed CSV
export and its JSON pages, all scoped to the caller, over Zerohash's daily rewards."""

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest

from gateway.domain.enums import Provider
from tests.gateway.clients import new_client
from tests.gateway.conftest import DEMO_KEY, start_gateway

PARTICIPANT = "LEDGER1"
DAYS = 40
TERMS = """mutation { acceptStakingTerms(provider: ZEROHASH) { accepted } }"""
PRODUCTS = """query { stakingProducts(provider: ZEROHASH) { id asset { symbol } } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id providerStakeId } userErrors { code } } }"""
SUMMARY = """query($by: RewardsGroupBy!, $from: DateTime, $to: DateTime, $asset: String,
  $provider: Provider) {
  rewardsSummary(groupBy: $by, from: $from, to: $to, asset: $asset, provider: $provider) {
    totals { period periodStart asset amount usdValue usdComplete rewardCount
             includesRunningTotals }
    providerFailures { provider code } } }"""


@pytest.fixture
async def ledger(tmp_path):
    async for gateway in start_gateway(tmp_path, WATCHER_ENABLED=False):
        key = await new_client(gateway, "books", {Provider.ZEROHASH: [PARTICIPANT]})
        await gateway.graphql(TERMS, key=key)
        products = (await gateway.graphql(PRODUCTS, key=key))["stakingProducts"]
        eth = next(p["id"] for p in products if p["asset"]["symbol"] == "ETH")
        stakes = []
        for amount in ("2", "3"):
            created = await gateway.graphql(
                CREATE, {"input": {"productId": eth, "amount": amount}}, key=key
            )
            assert created["createStake"]["userErrors"] == []
            stakes.append(created["createStake"]["stake"]["providerStakeId"])
        await gateway.advance("zerohash", DAYS * 86400)
        yield gateway, key, stakes


async def export(gateway, key, **params) -> tuple[object, list[dict]]:
    response = await gateway.http.get(
        "/exports/rewards.csv",
        params=params,
        headers={"Authorization": f"Bearer {key}"},
    )
    rows = (
        list(csv.DictReader(io.StringIO(response.text))) if response.is_success else []
    )
    return response, rows


async def pages(gateway, key, first: int, **params) -> list[dict]:
    rows, after = [], None
    while True:
        query = {**params, "first": first, **({"after": after} if after else {})}
        response = await gateway.http.get(
            "/exports/rewards.json",
            params=query,
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["rows"]) <= first
        rows += body["rows"]
        if not body["pageInfo"]["hasNextPage"]:
            return rows
        after = body["pageInfo"]["endCursor"]


async def test_the_csv_streams_every_reward_priced_by_the_provider(ledger):
    gateway, key, stakes = ledger
    response, rows = await export(gateway, key)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "content-length" not in response.headers, "streamed, not built whole"
    assert response.text.splitlines()[0] == (
        "date,provider,stake,asset,amount,usd_value,usd_source,running_total"
    )
    by_stake = defaultdict(list)
    for row in rows:
        by_stake[row["stake"]].append(row)
    assert set(by_stake) == set(stakes)
    for stake_rows in by_stake.values():
        # One a day once active (ETH activates within two days).
        assert DAYS - 3 <= len(stake_rows) <= DAYS
        dates = [r["date"] for r in stake_rows]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
    for row in rows:
        assert row["provider"] == "ZEROHASH" and row["asset"] == "ETH"
        assert Decimal(row["amount"]) > 0 and Decimal(row["usd_value"]) > 0
        assert row["usd_source"] == "provider" and row["running_total"] == "false"


async def test_the_json_pages_hold_the_same_rows_in_the_same_order(ledger):
    gateway, key, _ = ledger
    _, rows = await export(gateway, key)
    paged = await pages(gateway, key, first=17)
    assert [(r["date"], r["stake"], r["amount"]) for r in paged] == [
        (r["date"], r["stake"], r["amount"]) for r in rows
    ]
    assert len({r["rewardId"] for r in paged}) == len(paged)
    bad = await gateway.http.get(
        "/exports/rewards.json",
        params={"after": "not-a-cursor"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert bad.status_code == 400


async def test_the_summary_totals_equal_the_export_per_month_and_per_day(ledger):
    gateway, key, _ = ledger
    _, rows = await export(gateway, key)
    for by, width in (("MONTH", 7), ("DAY", 10), ("YEAR", 4)):
        expected_amount: dict[str, Decimal] = defaultdict(Decimal)
        expected_usd: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            expected_amount[row["date"][:width]] += Decimal(row["amount"])
            expected_usd[row["date"][:width]] += Decimal(row["usd_value"])
        summary = (await gateway.graphql(SUMMARY, {"by": by}, key=key))[
            "rewardsSummary"
        ]
        assert summary["providerFailures"] == []
        totals = summary["totals"]
        assert [t["period"] for t in totals] == sorted(expected_amount)
        for total in totals:
            assert Decimal(total["amount"]) == expected_amount[total["period"]]
            assert Decimal(total["usdValue"]) == expected_usd[total["period"]]
            assert total["usdComplete"] and not total["includesRunningTotals"]
            assert total["asset"] == "ETH"
    assert sum(t["rewardCount"] for t in totals) == len(rows)


async def test_a_window_and_an_asset_filter_the_export_and_the_summary(ledger):
    gateway, key, _ = ledger
    _, rows = await export(gateway, key)
    dates = sorted({r["date"][:10] for r in rows})
    start, end = f"{dates[5]}T00:00:00Z", f"{dates[15]}T00:00:00Z"
    _, window = await export(gateway, key, **{"from": start, "to": end})
    assert window and all(start <= r["date"] < end for r in window)
    assert len(window) == sum(1 for r in rows if start <= r["date"] < end)
    paged = await pages(gateway, key, first=100, **{"from": start, "to": end})
    assert len(paged) == len(window)
    _, none = await export(gateway, key, asset="SOL")
    assert none == []
    summary = await gateway.graphql(
        SUMMARY, {"by": "DAY", "from": start, "to": end}, key=key
    )
    assert len(summary["rewardsSummary"]["totals"]) == 10
    bad = await gateway.http.get(
        "/exports/rewards.csv",
        params={"from": "yesterday"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert bad.status_code == 400


async def test_another_client_exports_nothing_of_ours_and_no_key_exports_nothing(
    ledger,
):
    gateway, _, stakes = ledger
    other = await new_client(gateway, "other", {Provider.ZEROHASH: ["LEDGER2"]})
    _, theirs = await export(gateway, other)
    assert theirs == [] and not {r["stake"] for r in theirs} & set(stakes)
    assert await pages(gateway, other, first=100) == []
    summary = (await gateway.graphql(SUMMARY, {"by": "YEAR"}, key=other))[
        "rewardsSummary"
    ]
    assert summary["totals"] == []
    for path in ("/exports/rewards.csv", "/exports/rewards.json"):
        assert (await gateway.http.get(path)).status_code == 401
        wrong = {"Authorization": "Bearer sgw_nope_nope"}
        assert (await gateway.http.get(path, headers=wrong)).status_code == 401


async def test_a_provider_that_is_down_is_a_502_and_a_summary_failure(ledger):
    gateway, key, _ = ledger
    down = await gateway.http.post(
        "/sandbox/zerohash/_sandbox/faults", json={"down": True}
    )
    assert down.status_code == 200
    response, _ = await export(gateway, key)
    assert response.status_code == 502
    summary = (await gateway.graphql(SUMMARY, {"by": "MONTH"}, key=key))[
        "rewardsSummary"
    ]
    assert summary["totals"] == []
    assert [f["provider"] for f in summary["providerFailures"]] == ["ZEROHASH"]


async def test_an_export_of_many_pages_is_not_cut_by_the_per_call_timeout(tmp_path):
    # Each Zerohash answer takes 0.4 s, inside the 1 s per-call timeout; the history
    # is 4 pages (1.6 s and more), which a GraphQL read in one budget would not get.
    async for gateway in start_gateway(
        tmp_path, WATCHER_ENABLED=False, PROVIDER_TIMEOUT_SECONDS=1
    ):
        key = await new_client(gateway, "pages", {Provider.ZEROHASH: ["PAGES1"]})
        await gateway.graphql(TERMS, key=key)
        products = (await gateway.graphql(PRODUCTS, key=key))["stakingProducts"]
        eth = next(p["id"] for p in products if p["asset"]["symbol"] == "ETH")
        for _ in range(2):
            created = await gateway.graphql(
                CREATE, {"input": {"productId": eth, "amount": "1"}}, key=key
            )
            assert created["createStake"]["userErrors"] == []
        await gateway.advance("zerohash", 170 * 86400)
        slow = await gateway.http.post(
            "/sandbox/zerohash/_sandbox/faults", json={"latency_ms": 400}
        )
        assert slow.status_code == 200
        response, rows = await export(gateway, key)
        assert response.status_code == 200, response.text
        assert len(rows) > 300


async def test_running_totals_are_rows_of_their_own_and_say_so(ledger):
    gateway, _, _ = ledger
    response, rows = await export(gateway, DEMO_KEY, provider="DFNS,CROCANTE")
    assert response.status_code == 200 and rows
    assert {r["provider"] for r in rows} <= {"DFNS", "CROCANTE"}
    assert all(r["running_total"] == "true" for r in rows)
    assert all(r["usd_source"] == "" and r["usd_value"] == "" for r in rows)
    summary = (await gateway.graphql(SUMMARY, {"by": "YEAR", "provider": "DFNS"}))[
        "rewardsSummary"
    ]
    assert summary["totals"]
    for total in summary["totals"]:
        assert total["includesRunningTotals"] and total["usdValue"] is None
        assert not total["usdComplete"]
