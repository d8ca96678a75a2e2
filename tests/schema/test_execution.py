"""Plain fields are read directly, with the same answers and errors as graphql-core's path."""

import enum
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from graphql import ExecutionResult, execute_subscription_event, parse
from strawberry.extensions import ParserCache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.schema.execution import execution_context_for, plan_fields
from gateway.schema.scalars import SCALAR_MAP


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Tag:
    label: str
    color: Color | None


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Item(Named):
    amount: Decimal
    color: Color
    note: str | None
    tag: Tag | None
    tags: list[Tag]
    colors: list[Color]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def fragile(self) -> str:
        if self.name == "b":
            raise ValueError("fragile")
        return self.name

    @strawberry.field
    def greeting(self, info: strawberry.Info) -> str:
        return f"hello {self.name}"

    @strawberry.field
    def padded(self, width: int = 3) -> str:
        return self.name.ljust(width, ".")


@strawberry.type
class Box:
    items: list[Item]
    first: Item


def item(name: str = "a", **changes: Any) -> Item:
    fields: dict[str, Any] = {
        "name": name,
        "amount": Decimal("1.50"),
        "color": Color.RED,
        "note": None,
        "tag": Tag(label="t", color=None),
        "tags": [Tag(label="x", color=Color.BLUE)],
        "colors": [Color.RED, Color.BLUE],
    }
    fields.update(changes)
    return Item(**fields)


@dataclass
class NotAnItem:
    name: str = "impostor"


BOXES: dict[str, Any] = {}


@strawberry.type
class Query:
    @strawberry.field
    def box(self, which: str) -> Box | None:
        return BOXES[which]


def schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    config = strawberry.schema.config.StrawberryConfig(scalar_map=SCALAR_MAP)
    standard = strawberry.Schema(
        query=Query,
        config=config,
        execution_context_class=StrawberryGraphQLCoreExecutionContext,
    )
    plain = strawberry.Schema(query=Query, config=config)
    plain.execution_context_class = execution_context_for(plain._schema)
    return standard, plain


QUERIES = [
    "{ box(which: $w) { items { name amount color note } } }",
    "{ box(which: $w) { items { __typename n: name tag { label color } tags { label } "
    "colors } first { name } } }",
    "{ box(which: $w) { items { name shout tags { color } } } }",
    "{ box(which: $w) { items { ...F } } } fragment F on Item { name note @skip(if: true) }",
    "{ box(which: $w) { first { name tag { label } } items { amount } } }",
    "{ box(which: $w) { items { name fragile greeting padded(width: 5) } } }",
]

CASES = {
    "plain": Box(items=[item("a"), item("b", note="n")], first=item("c")),
    # A null where the schema allows none: an error at the right path, null bubbling.
    "null name": Box(items=[item("a"), item(None)], first=item("c")),
    # A value the enum cannot coerce: an error, as graphql-core words it.
    "bad enum": Box(items=[item("a", color="green")], first=item("c")),
    # An object of the wrong class where an Item belongs (Item has an is_type_of).
    "impostor": Box(items=[item("a")], first=NotAnItem()),  # type: ignore[arg-type]
    "empty": Box(items=[], first=item("c", tag=None, tags=[], colors=[])),
}


async def run(schema: strawberry.Schema, query: str, which: str) -> Any:
    document = "query($w: String!) " + query
    result = await schema.execute(document, variable_values={"w": which})
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return result.data, errors


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("which", sorted(CASES))
async def test_answers_and_errors_match_graphql_cores(query: str, which: str) -> None:
    BOXES.update(CASES)
    standard, plain = schemas()
    assert await run(plain, query, which) == await run(standard, query, which)


async def test_a_plain_selection_builds_no_resolve_info(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    BOXES.update(CASES)
    _, plain = schemas()
    built: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.build_resolve_info

    def counting(self: Any, field_def: Any, nodes: Any, *rest: Any) -> Any:
        built.append(nodes[0].name.value)
        return original(self, field_def, nodes, *rest)

    monkeypatch.setattr(
        StrawberryGraphQLCoreExecutionContext, "build_resolve_info", counting
    )
    data, errors = await run(plain, QUERIES[1], "plain")
    assert not errors and len(data["box"]["items"]) == 2
    assert built == ["box"]  # only the field with a resolver


async def test_attributes_and_methods_needing_only_the_object_are_plain() -> None:
    _, plain = schemas()
    plan = {t.name: set(f) for t, f in plan_fields(plain._schema).items()}
    assert plan["Item"] == {
        *("name", "amount", "color", "note", "tag", "tags", "colors"),
        *("shout", "fragile"),
    }
    # Not: a resolver that reads info or takes arguments.
    assert "Query" not in plan


@strawberry.type
class Ticker:
    @strawberry.subscription
    async def boxes(self) -> AsyncGenerator[Box, None]:
        for _ in range(50):
            yield BOXES["plain"]


async def test_a_long_subscription_keeps_its_memo_per_event_not_per_subscription() -> (
    None
):
    BOXES.update(CASES)
    schema = strawberry.Schema(query=Query, subscription=Ticker)
    context_class = execution_context_for(schema._schema)
    document = parse("subscription { boxes { items { name shout } first { name } } }")
    executor = context_class.build(schema._schema, document)
    for _ in range(50):
        result = execute_subscription_event(
            executor.build_per_event_executor(BOXES["plain"])
        )
        assert isinstance(result, ExecutionResult) and not result.errors
    # graphql-core's own memo would hold one entry per event; ours, one per selection.
    assert len(executor._relevant_sub_fields) == 0
    assert len(executor._selections) <= 3


async def test_one_parsed_document_is_planned_once_for_all_its_executions() -> None:
    BOXES.update(CASES)
    _, plain = schemas()
    context_class = plain.execution_context_class
    document = parse('query { box(which: "plain") { items { name } } }')
    first = context_class.build(plain._schema, document)
    second = context_class.build(plain._schema, document)
    assert first._selections is second._selections
    other = context_class.build(
        plain._schema, parse('{ box(which: "plain") { first { name } } }')
    )
    assert other._selections is not first._selections


async def test_variables_that_skip_or_include_fields_are_planned_per_execution() -> (
    None
):
    BOXES.update(CASES)
    config = strawberry.schema.config.StrawberryConfig(scalar_map=SCALAR_MAP)
    # The parser cache hands both executions the same parsed document.
    plain = strawberry.Schema(query=Query, config=config, extensions=[ParserCache])
    plain.execution_context_class = execution_context_for(plain._schema)
    query = """query($w: String!, $withNote: Boolean!) {
      box(which: $w) { items { name note @include(if: $withNote) } } }"""
    answers = []
    for with_note in (True, False, True):
        result = await plain.execute(
            query, variable_values={"w": "plain", "withNote": with_note}
        )
        assert not result.errors
        answers.append(result.data["box"]["items"][1])
    assert answers == [
        {"name": "b", "note": "n"},
        {"name": "b"},
        {"name": "b", "note": "n"},
    ]
