"""`@defer` and `@stream` payloads as 20220824 clients read them, from real executions.

A small schema runs through Strawberry's `Schema.stream` (graphql-core 3.3 incremental
execution, MaskErrors as the gateway has it); `incremental_payloads` turns its frames
into payloads, and what a client merges from them must be the answer the same document
gets without the directives.
"""

import asyncio
import re
from typing import Any

import pytest
import strawberry
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.schema.execution import execution_context_for
from gateway.schema.incremental_payloads import (
    Payload,
    incremental_operation,
    incremental_payloads,
)
from tests.schema.incremental_client import merged

GATE: dict[str, asyncio.Event] = {}


@strawberry.type
class Reward:
    amount: str


@strawberry.type
class Stake:
    id: str
    status: str
    tags: list[str]

    @strawberry.field
    async def rewards(self) -> list[Reward]:
        await asyncio.sleep(0)
        return [Reward(amount=f"{self.id}-1"), Reward(amount=f"{self.id}-2")]

    @strawberry.field
    async def secret(self) -> str:
        raise RuntimeError("connection string postgres://admin:hunter2@db")

    @strawberry.field
    async def never(self) -> str:
        await asyncio.Event().wait()
        return "never"


@strawberry.type
class Query:
    @strawberry.field
    async def stakes(self) -> list[Stake]:
        return [Stake(id=s, status="ACTIVE", tags=["a", "b", "c"]) for s in "xyz"]

    @strawberry.field
    def count(self) -> int:
        return 3

    @strawberry.field
    async def first(self) -> Stake:
        return Stake(id="x", status="ACTIVE", tags=[])


def schema(*, fast: bool = False) -> strawberry.Schema:
    built = strawberry.Schema(
        query=Query,
        config=StrawberryConfig(enable_experimental_incremental_execution=True),
        extensions=[lambda: MaskErrors(error_message="Internal error.")],
    )
    built.execution_context_class = (
        execution_context_for(built._schema)
        if fast
        else StrawberryGraphQLCoreExecutionContext
    )
    return built


async def payloads(
    query: str, *, seconds: float = 0, on: strawberry.Schema | None = None
) -> list[dict[str, Any]]:
    frames = await (on or schema()).stream(query)
    bodies = []
    async for frame in incremental_payloads(frames, seconds):
        assert isinstance(frame, Payload), frame
        bodies.append(frame.body)
    return bodies


async def plain(query: str) -> dict[str, Any]:
    undeferred = re.sub(r"@(defer|stream)(\([^)]*\))?", "", query)
    result = await schema().execute(undeferred)
    return {
        "data": result.data,
        "errors": [e.formatted for e in result.errors or []],
    }


async def test_the_initial_payload_holds_what_is_not_deferred() -> None:
    sent = await payloads("{ count stakes { id ... @defer { rewards { amount } } } }")
    assert sent[0] == {
        "data": {"count": 3, "stakes": [{"id": "x"}, {"id": "y"}, {"id": "z"}]},
        "hasNext": True,
    }


async def test_each_deferred_fragment_arrives_at_its_path_with_its_label() -> None:
    query = '{ stakes { id ... @defer(label: "r") { rewards { amount } } } }'
    sent = await payloads(query)
    entries = [e for p in sent[1:] for e in p.get("incremental", [])]
    assert sorted(e["path"] for e in entries) == [
        ["stakes", 0],
        ["stakes", 1],
        ["stakes", 2],
    ]
    assert {e["label"] for e in entries} == {"r"}
    assert entries[0]["data"]["rewards"][0]["amount"].endswith("-1")
    assert merged(sent) == await plain(query)


async def test_a_fragment_s_deeper_fields_are_placed_by_their_full_path() -> None:
    # `first` came in the initial payload: graphql-core sends the fragment's `status`
    # under the root fragment's id with a subPath, which the path must include.
    query = "{ first { id } ... @defer { count first { status } } }"
    sent = await payloads(query)
    entries = [e for p in sent[1:] for e in p.get("incremental", [])]
    assert {"data": {"status": "ACTIVE"}, "path": ["first"]} in entries
    assert merged(sent) == await plain(query)


async def test_streamed_items_carry_the_index_they_start_at() -> None:
    query = "{ stakes @stream(initialCount: 1) { id } }"
    sent = await payloads(query)
    assert sent[0]["data"] == {"stakes": [{"id": "x"}]}
    items = [e for p in sent[1:] for e in p.get("incremental", []) if "items" in e]
    assert items[0]["path"] == ["stakes", 1]
    assert merged(sent) == await plain(query)


async def test_a_stream_inside_a_deferred_fragment_counts_from_that_fragment() -> None:
    query = "{ stakes { id ... @defer { tags @stream(initialCount: 2) } } }"
    sent = await payloads(query)
    items = [e for p in sent[1:] for e in p.get("incremental", []) if "items" in e]
    assert sorted(e["path"] for e in items) == [
        ["stakes", 0, "tags", 2],
        ["stakes", 1, "tags", 2],
        ["stakes", 2, "tags", 2],
    ]
    assert merged(sent) == await plain(query)


async def test_an_error_in_a_deferred_part_is_masked_and_placed() -> None:
    sent = await payloads("{ stakes { id ... @defer { secret } } }")
    errors = [
        e
        for p in sent[1:]
        for x in p.get("incremental", [])
        for e in x.get("errors", [])
    ]
    assert errors and {e["message"] for e in errors} == {"Internal error."}
    assert "hunter2" not in repr(sent)
    assert sorted(e["path"] for e in errors) == [
        ["stakes", i, "secret"] for i in range(3)
    ]


async def test_what_is_still_pending_at_the_deadline_fails_with_timeout() -> None:
    sent = await payloads(
        '{ count ... @defer(label: "slow") { stakes { never } } }', seconds=0.2
    )
    assert sent[0] == {"data": {"count": 3}, "hasNext": True}
    assert sent[-1] == {
        "incremental": [
            {
                "data": None,
                "path": [],
                "label": "slow",
                "errors": [
                    {
                        "message": "The operation took longer than 0.2 s and was stopped.",
                        "path": [],
                        "extensions": {"code": "TIMEOUT"},
                    }
                ],
            }
        ],
        "hasNext": False,
    }


async def test_a_fragment_whose_fields_came_with_another_still_gets_its_payload() -> (
    None
):
    query = '{ first { ... @defer { id status } ... @defer(label: "two") { status } } }'
    sent = await payloads(query)
    entries = [e for p in sent[1:] for e in p.get("incremental", [])]
    assert {"data": {}, "path": ["first"], "label": "two"} in entries
    assert merged(sent) == await plain(query)


async def test_a_fragment_that_adds_nothing_is_not_deferred_at_all() -> None:
    frames = await schema().stream('{ count ... @defer(label: "again") { count } }')
    sent = [frame async for frame in incremental_payloads(frames)]
    assert len(sent) == 1 and not isinstance(sent[0], Payload)
    assert sent[0].data == {"count": 3}


@pytest.mark.parametrize(
    "query",
    [
        "{ stakes { id status ... @defer { rewards { amount } } } }",
        "{ stakes @stream(initialCount: 1) { id status tags } }",
        "{ stakes { id tags @stream(initialCount: 0) } }",
        "{ ... @defer { stakes { id status } } count }",
    ],
)
async def test_the_fast_path_answers_deferred_documents_as_graphql_core(
    query: str,
) -> None:
    fast_sent = await payloads(query, on=schema(fast=True))
    stock_sent = await payloads(query, on=schema())
    assert fast_sent == stock_sent
    assert len(fast_sent) > 1  # it was delivered in parts, @stream included


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("{ a ... @defer { b } }", "query"),
        ("mutation { a ... @defer { b } }", "mutation"),
        ("query Q { list @stream }", "query"),
        ("{ a }", None),
        ('{ a(text: "@defer") }', None),
        ("{ a ... @defer { b }", None),  # does not parse: the ordinary path says so
        ("query A { a ... @defer { b } } query B { b }", None),  # no operation chosen
    ],
)
def test_only_documents_asking_for_parts_take_the_incremental_path(
    query: str, kind: str | None
) -> None:
    found = incremental_operation(query)
    assert (found.value if found else None) == kind


def test_the_operation_named_decides_among_several() -> None:
    query = "query A { a ... @defer { b } } mutation B { b }"
    found = incremental_operation(query, "B")
    assert found is not None and found.value == "mutation"
