"""GraphiQL and the example page in a real headless Chromium, against a real `serve`
process, with every request that would leave this machine refused."""

import json

import httpx
import pytest

from tests.e2e.processes import DEMO_KEY, REPO, Server, metric, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ZEROHASH_ETH = "WyJTdGFraW5nUHJvZHVjdCIsIlpFUk9IQVNIIiwiIiwiRVRIIl0"
TWO_DAYS = 2 * 86400

# GraphiQL's editors are CodeMirror 5 instances, reachable from their wrapper element.
EDITORS = """(name) => {
  const wrappers = {
    query: document.querySelector(".graphiql-query-editor .CodeMirror"),
    variables: document.querySelectorAll(".graphiql-editor-tool .CodeMirror")[0],
    headers: document.querySelectorAll(".graphiql-editor-tool .CodeMirror")[1],
    result: document.querySelector(".result-window .CodeMirror"),
  };
  return wrappers[name].CodeMirror;
}"""


def editor_text(page, name: str) -> str:
    return page.evaluate(f"(name) => ({EDITORS})(name).getValue()", name)


def set_editor_text(page, name: str, text: str) -> None:
    page.evaluate(f"([name, text]) => ({EDITORS})(name).setValue(text)", [name, text])


def graphql(server: Server, query: str, variables: dict | None = None) -> dict:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
        timeout=20,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def create_zerohash_stake(server: Server) -> str:
    created = graphql(
        server,
        """mutation($input: CreateStakeInput!) { createStake(input: $input) {
        stake { id status } userErrors { code } } }""",
        {"input": {"productId": ZEROHASH_ETH, "amount": "1"}},
    )["createStake"]
    assert created["userErrors"] == [] and created["stake"]["status"] == "PENDING"
    return created["stake"]["id"]


def advance_zerohash_clock_once_watched(server: Server, watchers_before: float) -> None:
    # The subscription is live once the gateway counts one more bus subscriber.
    wait_until(
        lambda: metric(server.url, "gateway_bus_subscribers") > watchers_before,
        10,
        "the subscription to reach the gateway",
    )
    response = httpx.post(
        f"{server.url}/sandbox/zerohash/_sandbox/clock",
        json={"advance_seconds": TWO_DAYS},
    )
    assert response.status_code == 200, response.text


def open_graphiql(page, server: Server) -> None:
    page.goto(f"{server.url}/graphql")
    page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=20_000)


def run_operation(page, first_line: str) -> None:
    """As a person does: cursor in the operation, Ctrl-Enter."""
    page.evaluate(
        f"""(first) => {{
          const cm = ({EDITORS})("query");
          const line = cm.getValue().split("\\n").findIndex(l => l.startsWith(first));
          if (line < 0) throw new Error("no line starts with " + first);
          cm.focus();
          cm.setCursor({{ line: line + 1, ch: 2 }});
        }}""",
        first_line,
    )
    page.keyboard.press("Control+Enter")


def wait_for_result(page, *texts: str) -> dict:
    page.wait_for_function(
        f"""(texts) => {{
          const value = ({EDITORS})("result").getValue();
          return texts.every(t => value.includes(t));
        }}""",
        arg=list(texts),
        timeout=20_000,
    )
    return json.loads(editor_text(page, "result"))


def test_graphiql_loads_from_the_gateway_alone_with_the_demo_key_and_starter(
    browser_page, served
):
    page, problems = browser_page
    open_graphiql(page, served)
    headers = json.loads(editor_text(page, "headers"))
    assert headers == {"Authorization": f"Bearer {DEMO_KEY}"}
    document = editor_text(page, "query")
    for operation in (
        "query Overview",
        "mutation CreateStake",
        "subscription WatchStakes",
    ):
        assert operation in document
    assert f"{served.url}/sandbox/zerohash/_sandbox/clock" in document
    # The schema came through introspection: the docs list the subscription root.
    page.get_by_label("Show Documentation Explorer").click()
    page.wait_for_selector(
        ".graphiql-doc-explorer >> text=subscription", timeout=10_000
    )
    assert problems == []


def test_the_starter_query_shows_the_demo_clients_stakes_and_products(
    browser_page, served
):
    page, problems = browser_page
    open_graphiql(page, served)
    run_operation(page, "query Overview")
    data = wait_for_result(page, '"stakingProducts"')["data"]

    expected = graphql(served, "{ stakes(first: 10) { edges { node { id } } } }")
    shown = [edge["node"]["id"] for edge in data["stakes"]["edges"]]
    assert shown == [edge["node"]["id"] for edge in expected["stakes"]["edges"]]
    assert len(shown) == 10
    assert data["stakes"]["providerFailures"] == []
    assert data["portfolio"]["stakeCount"] >= 10
    assert {p["provider"] for p in data["stakingProducts"]} == {
        "DFNS",
        "ZEROHASH",
        "CROCANTE",
    }
    assert problems == []


def test_a_subscription_in_graphiql_shows_the_stake_going_active_as_the_clock_moves(
    browser_page, served
):
    page, problems = browser_page
    open_graphiql(page, served)
    # The starter's own mutation, with the starter's variables.
    run_operation(page, "mutation CreateStake")
    created = wait_for_result(page, '"createStake"')["data"]["createStake"]
    assert created["userErrors"] == [] and created["stake"]["status"] == "PENDING"
    stake_id = created["stake"]["id"]

    page.get_by_role("button", name="Variables").click()
    set_editor_text(page, "variables", json.dumps({"stakeId": stake_id}))
    watchers = metric(served.url, "gateway_bus_subscribers")
    run_operation(page, "subscription WatchStakes")
    advance_zerohash_clock_once_watched(served, watchers)

    event = wait_for_result(page, stake_id, '"ACTIVE"')["data"]["stakeStatusChanged"]
    assert event["stake"]["id"] == stake_id
    assert (event["previousStatus"], event["status"]) == ("PENDING", "ACTIVE")
    assert problems == []


def test_the_example_page_lists_status_changes_live(browser_page, served):
    page, problems = browser_page
    stake_id = create_zerohash_stake(served)
    watchers = metric(served.url, "gateway_bus_subscribers")
    page_url = (REPO / "examples" / "watch.html").as_uri()
    page.goto(
        f"{page_url}?gateway={served.url}&key={DEMO_KEY}&stakeId={stake_id}",
    )
    page.wait_for_selector("#state >> text=watching", timeout=10_000)
    advance_zerohash_clock_once_watched(served, watchers)

    item = page.locator(f'#events li[data-stake-id="{stake_id}"]').first
    item.wait_for(timeout=20_000)
    assert "PENDING → ACTIVE" in item.inner_text()
    assert problems == []
