"""Which executor a schema runs on: the plain-field fast path, or Strawberry's own.

The fast path (`execution.py`) overrides private graphql-core and Strawberry methods and
reads plain fields without calling graphql-core's per-field machinery. It runs only where
that changes nothing, and stands down, with a warning, where it would:

- an extension with a `resolve` hook sees every field on the standard path; plain fields
  would skip it (OpenTelemetry's resolver spans are one);
- a permission class on a field must run;
- a default resolver other than `getattr` reads fields differently;
- graphql-core's executor no longer has the shape the fast path overrides (an upgrade).

`GATEWAY_FAST_EXECUTION=false` turns it off outright.
"""

import inspect
import logging
from typing import Any

import graphql
from graphql import GraphQLInterfaceType, GraphQLObjectType
from graphql.execution import Executor
from strawberry import Schema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from gateway.schema.execution import execution_context_for

log = logging.getLogger("gateway.execution")

STOCK = StrawberryGraphQLCoreExecutionContext

# The executor's methods the fast path overrides or calls, with their parameters.
OVERRIDDEN = {
    "execute_field": [
        "self",
        *("parent_type", "source", "field_details_list", "path", "position_context"),
    ],
    "collect_and_execute_subfields": [
        "self",
        *("return_type", "field_details_list", "path", "result", "position_context"),
    ],
    "collect_subfields": ["self", "return_type", "field_details_list"],
    "handle_field_error": [
        *("self", "raw_error", "return_type", "field_details_list", "path")
    ],
    "build_per_event_executor": ["self", "payload"],
}


def _changed_internals() -> list[str]:
    changed = []
    for name, expected in OVERRIDDEN.items():
        method = getattr(STOCK, name, None)
        parameters = (
            list(inspect.signature(method).parameters) if callable(method) else None
        )
        if parameters != expected:
            changed.append(
                f"graphql-core {graphql.__version__} changed the executor's {name}"
            )
    return changed


def _fields(schema: Schema) -> list[tuple[str, StrawberryField]]:
    found = []
    for named in schema._schema.type_map.values():
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, field in named.fields.items():
            definition = field.extensions.get("strawberry-definition")
            if isinstance(definition, StrawberryField):
                found.append((f"{named.name}.{name}", definition))
    return found


def bypassed(schema: Schema) -> list[str]:
    """What the fast path would bypass or misread on this schema; empty: it may run."""
    reasons = [
        f"the {type(extension).__name__} extension has a resolve hook"
        for extension in schema.get_extensions()
        if type(extension).resolve is not SchemaExtension.resolve
    ]
    reasons += [
        f"{name} has permission classes"
        for name, definition in _fields(schema)
        if definition.permission_classes
    ]
    if schema.config.default_resolver is not getattr:
        reasons.append("the schema's default resolver is not getattr")
    return reasons + _changed_internals()


def choose_execution(schema: Schema, *, fast: bool) -> type[Executor[Any]]:
    """The execution context class `schema` should run on."""
    if not fast:
        return STOCK
    reasons = bypassed(schema)
    if reasons:
        log.warning(
            "Fast execution stands down, the standard executor runs: %s.",
            "; ".join(reasons),
        )
        return STOCK
    return execution_context_for(schema._schema)
