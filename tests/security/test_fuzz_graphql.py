"""Fuzzing the API from its own schema (hypothesis-graphql) against a running gateway:
no 5xx, no internal message in any error, and no change of state from a request that
was refused."""

import re
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from gateway.schema.schema import export_sdl
from tests.gateway.conftest import DEMO_KEY
from tests.security.wiring import threaded_gateway

pytestmark = pytest.mark.e2e

SDL = export_sdl()
# Real ids of the demo client's objects, filled once the gateway runs, so generated
# operations reach resolvers and providers instead of stopping at a malformed id.
KNOWN_IDS: list[str] = []
SCALARS = {
    "ID": st.one_of(
        st.integers(min_value=0, max_value=10_000).map(
            lambda i: KNOWN_IDS[i % len(KNOWN_IDS)] if KNOWN_IDS else "none"
        ),
        st.text(max_size=20),
    ).map(nodes.String),
    "Decimal": st.one_of(
        st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e30"), places=8).map(
            lambda d: format(d, "f")
        ),
        st.sampled_from(
            ["NaN", "-Infinity", "1e999", "", "abc", "0.000000000000000001"]
        ),
    ).map(nodes.String),
    "DateTime": st.one_of(
        st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
        st.sampled_from(["yesterday", "2026-02-30T00:00:00Z", ""]),
    ).map(nodes.String),
}
FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# What an error may say: about the query, or what the gateway chose to tell a user.
INTERNAL = re.compile(
    r"Traceback|File \"|Error\(|Exception|object has no attribute|NoneType|KeyError|"
    r"unexpected keyword|sqlalchemy|asyncpg|aiosqlite|httpx|orjson|strawberry\.",
)
AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with threaded_gateway(
        tmp_path_factory.mktemp("fuzz"),
        GATEWAY_RATE_LIMIT_PER_SECOND=0,
        SANDBOX_TIME_SCALE=0,
        GATEWAY_OPERATION_TIMEOUT_SECONDS=10,
    ) as (url, app):
        with httpx.Client(base_url=url, timeout=30, headers=AUTH) as http:
            KNOWN_IDS[:] = known_ids(http)
            yield http, app


def known_ids(http: httpx.Client) -> list[str]:
    query = """{ stakes(first: 30) { edges { node { id actions { id }
        rewards(first: 2) { edges { node { id } } } } } }
      allocations { edges { node { id } } } stakingProducts { id } }"""
    data = http.post("/graphql", json={"query": query}).json()["data"]
    stakes = [e["node"] for e in data["stakes"]["edges"]]
    found = [s["id"] for s in stakes]
    found += [a["id"] for s in stakes for a in s["actions"]]
    found += [r["node"]["id"] for s in stakes for r in s["rewards"]["edges"]]
    found += [a["node"]["id"] for a in data["allocations"]["edges"]]
    found += [p["id"] for p in data["stakingProducts"]]
    assert len(found) > 20
    return found


def check_answer(response: httpx.Response) -> dict | None:
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        assert not INTERNAL.search(response.text), response.text
        return None
    body = response.json()
    for error in body.get("errors") or []:
        assert not INTERNAL.search(error["message"]), error
        assert set(error) <= {"message", "locations", "path", "extensions"}, error
    return body


SNAPSHOT = """{ stakes(first: 100) { edges { node { id status amount } } }
  allocations { edges { node { id amount { amount } } } } }"""


def state(http: httpx.Client, app) -> tuple[int, object]:
    """What a refused mutation must not change: the recorded facts, and what the
    providers hold (their clocks are frozen, so nothing moves by itself)."""
    path = app.state.settings.effective_database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        events = db.execute("SELECT COUNT(*) FROM status_event").fetchone()[0]
    return events, http.post("/graphql", json={"query": SNAPSHOT}).json()["data"]


def writes(app) -> int:
    return sum(
        count
        for (_, method, url_path), count in app.state.upstream.calls.items()
        if method != "GET" and "auth" not in url_path
    )


def with_user_errors(mutation: str) -> str:
    """Every payload also reports its userErrors, so a refusal cannot go unseen."""
    operation = parse(mutation).definitions[0]
    extra = parse("{ fuzzUserErrors: userErrors { code } }").definitions[0]
    report = extra.selection_set.selections[0]
    fields = [
        FieldNode(
            alias=f.alias,
            name=f.name,
            arguments=f.arguments,
            directives=f.directives,
            selection_set=SelectionSetNode(
                selections=(*f.selection_set.selections, report)
            ),
        )
        if f.selection_set is not None
        else f
        for f in operation.selection_set.selections
    ]
    rebuilt = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=tuple(fields)),
    )
    return print_ast(DocumentNode(definitions=(rebuilt,)))


def refused(body: dict | None) -> bool:
    if body is None or body.get("errors"):
        return True
    payloads = [p for p in (body.get("data") or {}).values() if isinstance(p, dict)]
    return bool(payloads) and all(p.get("fuzzUserErrors") for p in payloads)


@FUZZ
@given(query=queries(SDL, custom_scalars=SCALARS))
def test_generated_queries_never_fail_the_server(served, query):
    http, _ = served
    check_answer(http.post("/graphql", json={"query": query}))


@FUZZ
@given(query=queries(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
def test_invalid_queries_are_refused_cleanly(served, query):
    http, _ = served
    body = check_answer(http.post("/graphql", json={"query": query}))
    assert body is None or body.get("errors")


@FUZZ
@given(mutation=mutations(SDL, custom_scalars=SCALARS))
def test_generated_mutations_never_fail_and_a_refused_one_changes_nothing(
    served, mutation
):
    http, app = served
    before, attempts = state(http, app), writes(app)
    body = check_answer(
        http.post("/graphql", json={"query": with_user_errors(mutation)})
    )
    if body is None or body.get("data") is None:
        # Refused before it ran: no provider was even asked.
        assert writes(app) == attempts, (mutation, body)
    if refused(body):
        assert state(http, app) == before, (mutation, body)


@FUZZ
@given(
    query=st.one_of(
        st.text(max_size=200),
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    ),
    variables=st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.integers())),
)
def test_arbitrary_text_is_answered_without_a_5xx(served, query, variables):
    http, _ = served
    check_answer(http.post("/graphql", json={"query": query, "variables": variables}))
