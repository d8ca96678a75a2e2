"""The GraphiQL page as gateway/web/graphiql.py renders it, read without a browser."""

import hashlib
import json
import re
from html.parser import HTMLParser

from graphql import parse, validate

from gateway.domain.enums import Provider
from gateway.schema.ids import decode_id
from gateway.schema.schema import build_schema
from gateway.web.graphiql import (
    ASSETS,
    STATIC_DIR,
    render_graphiql,
    starter_document,
    starter_variables,
)


class _Page(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.references: list[str] = []
        self.scripts: dict[str, str] = {}
        self._script_id: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.references.append(found[name])
        self._script_id = found.get("id") if tag == "script" else None

    def handle_endtag(self, tag):
        self._script_id = None

    def handle_data(self, data):
        if self._script_id:
            self.scripts[self._script_id] = self.scripts.get(self._script_id, "") + data


def config_of(page: str) -> dict:
    return json.loads(_Page(page).scripts["graphiql-config"])


def test_every_script_and_style_is_served_by_the_gateway_itself():
    page = render_graphiql("sgw_key", "/graphql")
    references = [r for r in _Page(page).references if r != "data:,"]
    assert references, "the page loads nothing?"
    for reference in references:
        assert reference.startswith(f"{ASSETS}/"), reference
        assert (STATIC_DIR / reference.removeprefix("/static/")).is_file(), reference
    assert not re.search(r"https?://", page)


def test_the_vendored_assets_stay_small():
    total = sum(p.stat().st_size for p in STATIC_DIR.rglob("*") if p.is_file())
    assert total < 5 * 1024 * 1024


def test_the_demo_key_is_prefilled_in_the_headers_tab():
    config = config_of(render_graphiql("sgw_demo_abc", "ws://example/graphql"))
    assert json.loads(config["headers"]) == {"Authorization": "Bearer sgw_demo_abc"}
    assert config["subscriptionsUrl"] == "ws://example/graphql"


def test_without_a_demo_key_the_headers_tab_says_where_a_key_comes_from():
    config = config_of(render_graphiql(None, "/graphql"))
    assert "clients create" in json.loads(config["headers"])["Authorization"]
    assert "_sandbox/clock" not in config["query"]


def test_a_hostile_key_cannot_close_the_config_script():
    key = "</script><script>alert(1)</script><!--"
    page = render_graphiql(key, "/graphql")
    assert "<script>alert" not in page and "<!--" not in page
    assert json.loads(config_of(page)["headers"])["Authorization"] == f"Bearer {key}"


def test_the_starter_document_is_valid_against_the_schema():
    schema = build_schema()._schema
    for sandbox in (True, False):
        document = parse(starter_document(sandbox=sandbox))
        assert validate(schema, document) == []
        names = {d.name.value: d.operation.value for d in document.definitions}
        assert names == {
            "Overview": "query",
            "CreateStake": "mutation",
            "RegisterWebhook": "mutation",
            "RewardsByMonth": "query",
            "WatchStakes": "subscription",
        }


def test_the_starter_covers_portfolio_stakes_rewards_products_and_the_subscription():
    document = starter_document(sandbox=True)
    for field in ("portfolio", "stakes(first:", "rewards(first:", "stakingProducts"):
        assert field in document
    assert "stakeStatusChanged(stakeId: $stakeId)" in document
    assert "<gateway>/sandbox/zerohash/_sandbox/clock" in document


def test_the_starter_variables_name_zerohash_eth():
    variables = json.loads(starter_variables())
    product = decode_id(variables["input"]["productId"], expect="StakingProduct")
    assert (product.provider, product.key) == (Provider.ZEROHASH, "ETH")
    assert variables["input"]["amount"] == "1" and variables["stakeId"] is None


def test_the_vendored_assets_are_the_ones_the_readme_names():
    listed = re.findall(
        r"^([0-9a-f]{64})  (\S+)$",
        (STATIC_DIR / "graphiql" / "README.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert len(listed) == 5
    for digest, name in listed:
        data = (STATIC_DIR / "graphiql" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
