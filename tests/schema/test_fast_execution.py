"""The fast path runs unless turned off, and stands down where it would bypass something."""

import logging
from typing import Any, ClassVar

import pytest
import strawberry
from starlette.routing import Route
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission

from gateway.app import create_app
from gateway.schema.execution import PlainFieldExecutionContext, execution_context_for
from gateway.schema.fast_execution import STOCK, choose_execution
from gateway.schema.schema import build_schema
from gateway.settings import Settings
from tests.schema.test_execution import BOXES, CASES, Query

STANDS_DOWN = "Fast execution stands down"


class Counting(SchemaExtension):
    """A resolve hook: it sees each field the executor resolves."""

    seen: ClassVar[list[str]] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any):
        self.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


class Nobody(BasePermission):
    message = "Not for you."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Vault:
    @strawberry.field(permission_classes=[Nobody])
    def code(self) -> str:
        return "1234"


@strawberry.type
class Guarded:
    @strawberry.field
    def vault(self) -> Vault:
        return Vault()


def test_the_gateway_schema_runs_the_fast_path() -> None:
    context_class = build_schema().execution_context_class
    assert issubclass(context_class, PlainFieldExecutionContext)


def test_gateway_fast_execution_false_runs_the_standard_executor(tmp_path) -> None:
    settings = Settings(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}",
        GATEWAY_FAST_EXECUTION="false",
    )
    assert settings.fast_execution is False
    app = create_app(settings)
    view = next(
        r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql"
    )
    assert view.schema.execution_context_class is STOCK
    assert build_schema(fast_execution=False).execution_context_class is STOCK


async def test_an_extension_with_a_resolve_hook_keeps_seeing_every_field(
    caplog: pytest.LogCaptureFixture,
) -> None:
    BOXES.update(CASES)
    schema = strawberry.Schema(query=Query, extensions=[Counting])
    query = '{ box(which: "plain") { items { name } } }'
    # What it would miss: the fast path reads `items` and each `name` directly.
    schema.execution_context_class = execution_context_for(schema._schema)
    Counting.seen.clear()
    assert not (await schema.execute(query)).errors
    assert Counting.seen == ["box"]

    with caplog.at_level(logging.WARNING, logger="gateway.execution"):
        schema.execution_context_class = choose_execution(schema, fast=True)
    assert schema.execution_context_class is STOCK
    assert "the Counting extension has a resolve hook" in caplog.text
    Counting.seen.clear()
    assert not (await schema.execute(query)).errors
    assert Counting.seen == ["box", "items", "name", "name"]


def test_the_gateway_schema_with_a_resolve_hook_stands_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.execution"):
        schema = build_schema([Counting])
    assert schema.execution_context_class is STOCK
    assert STANDS_DOWN in caplog.text


async def test_a_permission_class_in_the_schema_makes_it_stand_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    schema = strawberry.Schema(query=Guarded)
    with caplog.at_level(logging.WARNING, logger="gateway.execution"):
        schema.execution_context_class = choose_execution(schema, fast=True)
    assert schema.execution_context_class is STOCK
    assert "Vault.code has permission classes" in caplog.text
    result = await schema.execute("{ vault { code } }")
    assert [e.message for e in result.errors or []] == ["Not for you."]


def test_an_executor_whose_overridden_methods_changed_makes_it_stand_down(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a graphql-core release that reshaped a method the fast path overrides would.
    def collect_subfields(self: Any, return_type: Any, fields: Any, extra: Any) -> Any:
        raise AssertionError("not called")

    monkeypatch.setattr(STOCK, "collect_subfields", collect_subfields)
    schema = strawberry.Schema(query=Query)
    with caplog.at_level(logging.WARNING, logger="gateway.execution"):
        assert choose_execution(schema, fast=True) is STOCK
    assert "changed the executor's collect_subfields" in caplog.text
