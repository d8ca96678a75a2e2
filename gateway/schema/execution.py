"""Plain fields without graphql-core's per-field machinery.

Most of a page of stakes is fields read straight off pre-mapped objects (`amount`,
`status`, `createdAt`, an edge's `node`). For each one graphql-core builds a path and a
ResolveInfo, calls Strawberry's resolver wrapper and dispatches on the type: several
microseconds a field, most of the cost of a large list. Here a selection made only of
attribute reads (scalars, enums, objects whose own selection is plain) is read directly
into its dict. Anything else, and any value that would need an error (a null where none
is allowed, a failed coercion, an object of the wrong class), takes the standard path,
so answers and errors are the same either way.

Under incremental delivery a selection with a deferred fragment, and a list field with
`@stream`, take the standard path too; the fields of a deferred part are read here again
once graphql-core runs it.
"""

import enum
import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar, cast

from graphql import (
    BREAK,
    DirectiveNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    VariableNode,
    Visitor,
    visit,
)
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

_STRAWBERRY = "strawberry-definition"


@dataclass(frozen=True, slots=True)
class LeafKind:
    coerce: Callable[[Any], Any]
    nullable: bool


@dataclass(frozen=True, slots=True)
class ObjectKind:
    object_type: GraphQLObjectType
    # Strawberry's is_type_of for the type accepts instances of this class.
    origin: type
    nullable: bool


@dataclass(frozen=True, slots=True)
class ListKind:
    item: "Kind"
    nullable: bool


Kind = LeafKind | ObjectKind | ListKind


@dataclass(frozen=True, slots=True)
class PlainField:
    # The attribute, or a resolver that needs only the object (`def cursor(self)`).
    read: Callable[[Any], Any]
    field_type: GraphQLOutputType
    kind: Kind


FieldPlan = dict[GraphQLObjectType, dict[str, PlainField]]


@dataclass(frozen=True, slots=True)
class Entry:
    """One field of a plain selection; `selection` is what an object (item) selects."""

    response_name: str
    field: PlainField | None  # None: `__typename`
    typename: str
    selection: "tuple[Entry, ...]" = ()


def _kind(type_: GraphQLOutputType) -> Kind | None:
    nullable = not isinstance(type_, GraphQLNonNull)
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(named, GraphQLEnumType):
        return LeafKind(_enum_coercion(named), nullable)
    if isinstance(named, GraphQLScalarType):
        return LeafKind(named.coerce_output_value, nullable)
    if isinstance(named, GraphQLList):
        item = _kind(named.of_type)
        return None if item is None else ListKind(item, nullable)
    if isinstance(named, GraphQLObjectType):
        origin = getattr(named.extensions.get(_STRAWBERRY), "origin", None)
        if isinstance(origin, type):
            return ObjectKind(named, origin, nullable)
    return None


def _enum_coercion(enum_type: GraphQLEnumType) -> Callable[[Any], Any]:
    """The enum's own coercion, with a table for members of its Python enum.

    Strawberry's coercion scans the values comparing `.value` on every call.
    """
    python_enum = getattr(enum_type, "wrapped_cls", None)
    coerce = enum_type.coerce_output_value
    if not (isinstance(python_enum, type) and issubclass(python_enum, enum.Enum)):
        return coerce
    names: dict[enum.Enum, Any] = {}
    for member in python_enum:
        try:
            names[member] = coerce(member)
        except (TypeError, ValueError):
            continue

    def coerce_member(value: Any) -> Any:
        if type(value) is python_enum:
            name = names.get(value)
            if name is not None:
                return name
        return coerce(value)

    return coerce_member


def _reader(definition: StrawberryField) -> Callable[[Any], Any] | None:
    resolver = definition.base_resolver
    if resolver is None:
        return attrgetter(definition.python_name)
    plain_method = (
        resolver.self_parameter is not None
        and not resolver.is_async
        and not resolver.arguments
        and resolver.info_parameter is None
        and resolver.root_parameter is None
        and resolver.parent_parameter is None
        and not inspect.isgeneratorfunction(resolver.wrapped_func)
    )
    # Such a method is pure computation over the object (our schema's are): called
    # again on the standard path should it fail here.
    wrapped = resolver.wrapped_func
    if not plain_method or not callable(wrapped):
        return None
    return cast(Callable[[Any], Any], wrapped)


def _plain_field(field: GraphQLField) -> PlainField | None:
    definition = field.extensions.get(_STRAWBERRY)
    if not isinstance(definition, StrawberryField) or field.args:
        return None
    if definition.extensions or definition.directives:
        return None
    read = _reader(definition)
    kind = _kind(field.type)
    if kind is None or read is None:
        return None
    return PlainField(read, field.type, kind)


def _object_kind(kind: Kind) -> ObjectKind | None:
    while isinstance(kind, ListKind):
        kind = kind.item
    return kind if isinstance(kind, ObjectKind) else None


def plan_fields(schema: GraphQLSchema) -> FieldPlan:
    """Every field of every object type that is a plain attribute read."""
    plan: FieldPlan = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        fields = {
            name: plain
            for name, field in named.fields.items()
            if (plain := _plain_field(field)) is not None
        }
        if fields:
            plan[named] = fields
    return plan


Selections = dict[tuple[Any, ...], "tuple[Entry, ...] | None"]


def _directives_read_variables(operation: Any, fragments: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
            nonlocal found
            if any(isinstance(a.value, VariableNode) for a in node.arguments or ()):
                found = True
                return BREAK
            return None

    # graphql-core 3.3 keeps each fragment as (definition, its variable signatures).
    definitions = [
        f[0] if isinstance(f, tuple) else f for f in (fragments or {}).values()
    ]
    for node in (operation, *definitions):
        visit(node, Finder())
        if found:
            return True
    return False


def _streamed(details: Any) -> bool:
    # A list read here would come whole: `@stream` needs graphql-core's completion.
    return any(
        directive.name.value == "stream"
        for field_details in details
        for directive in field_details.node.directives or ()
    )


class _Slow(Exception):
    """This value needs the standard path (it may be an error there)."""


_MISSING = object()


def _complete(kind: Kind, value: Any, selection: tuple[Entry, ...]) -> Any:
    if value is None:
        if kind.nullable:
            return None
        raise _Slow
    if type(kind) is LeafKind:
        try:
            coerced = kind.coerce(value)
        except Exception:
            raise _Slow() from None
        if coerced is None or coerced is Undefined:
            raise _Slow
        return coerced
    if type(kind) is ObjectKind:
        if type(value) is not kind.origin:
            raise _Slow
        return _read_selection(selection, value)
    assert isinstance(kind, ListKind)
    if not isinstance(value, list | tuple):
        raise _Slow
    item = kind.item
    return [_complete(item, v, selection) for v in value]


def _read_selection(selection: tuple[Entry, ...], source: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for entry in selection:
        field = entry.field
        if field is None:
            values[entry.response_name] = entry.typename
            continue
        try:
            value = field.read(source)
        except Exception:
            raise _Slow() from None
        values[entry.response_name] = _complete(field.kind, value, entry.selection)
    return values


class PlainFieldExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, reading plain selections directly."""

    field_plan: ClassVar[FieldPlan] = {}
    # By the operation's identity; an entry goes when its parsed document does.
    operation_plans: ClassVar[dict[int, tuple[bool, Selections]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per selection (object type and the document's field nodes, which the
        # operation keeps alive): its plain entries, or None when some field needs the
        # standard path. Shared by every execution of the same parsed document (the
        # parser cache hands out one per query text) and by a subscription's events.
        self._selections = self._plans_of(self.operation, self.fragments)

    @classmethod
    def _plans_of(cls, operation: Any, fragments: Any) -> Selections:
        known = cls.operation_plans.get(id(operation))
        if known is None:
            # @skip/@include on variables: what is collected differs per execution.
            shared = not _directives_read_variables(operation, fragments)
            known = (shared, {})
            cls.operation_plans[id(operation)] = known
            weakref.finalize(operation, cls.operation_plans.pop, id(operation), None)
        shared, selections = known
        return selections if shared else {}

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        # graphql-core memoizes sub-selections by the identity of field lists that each
        # event builds anew: kept per event, a long subscription's memo does not grow.
        executor._relevant_sub_fields = {}
        return executor

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        selection = self._plain_selection(return_type, field_details_list)
        if selection is not None:
            try:
                return _read_selection(selection, result)
            except _Slow:
                pass
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _plain_selection(
        self, object_type: GraphQLObjectType, field_details_list: Any
    ) -> tuple[Entry, ...] | None:
        key = (object_type, *[id(details.node) for details in field_details_list])
        known = self._selections.get(key, _MISSING)
        if known is not _MISSING:
            return known  # type: ignore[return-value]
        grouped, deferred, _ = self.collect_subfields(object_type, field_details_list)
        selection = None if deferred else self._entries(object_type, grouped)
        self._selections[key] = selection
        return selection

    def _entries(
        self, object_type: GraphQLObjectType, grouped: Any
    ) -> tuple[Entry, ...] | None:
        fields = self.field_plan.get(object_type, {})
        entries = []
        for response_name, details in grouped.items():
            name = details[0].node.name.value
            if name == "__typename":
                entries.append(Entry(response_name, None, object_type.name))
                continue
            field = fields.get(name)
            if field is None or _streamed(details):
                return None
            inner: tuple[Entry, ...] = ()
            item_type = _object_kind(field.kind)
            if item_type is not None:
                selected = self._plain_selection(item_type.object_type, details)
                if selected is None:
                    return None
                inner = selected
            entries.append(Entry(response_name, field, object_type.name, inner))
        return tuple(entries)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        fields = self.field_plan.get(parent_type)
        plain = (
            None
            if fields is None
            else fields.get(field_details_list[0].node.name.value)
        )
        if plain is not None:
            kind = plain.kind
            try:
                value = plain.read(source)
            except Exception:
                # The standard path reports the error (and reads again to do so).
                value = _MISSING
            if value is _MISSING:
                pass
            elif type(kind) is LeafKind:
                try:
                    return _complete(kind, value, ())
                except _Slow:
                    pass
            elif type(kind) is ObjectKind and type(value) is kind.origin:
                return self._complete_plain_object(
                    plain, kind, field_details_list, path, value, position_context
                )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _complete_plain_object(
        self,
        plain: PlainField,
        kind: ObjectKind,
        field_details_list: Any,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        # What execute_field + complete_object_value do once the type check passed,
        # without building a ResolveInfo no one reads.
        try:
            completed = self.collect_and_execute_subfields(
                kind.object_type, field_details_list, path, value, position_context
            )
        except Exception as error:
            self.handle_field_error(error, plain.field_type, field_details_list, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as error:
                self.handle_field_error(
                    error, plain.field_type, field_details_list, path
                )
                return None

        return await_completed()


def execution_context_for(
    schema: GraphQLSchema,
) -> type[PlainFieldExecutionContext]:
    """An execution context class that knows this schema's plain fields."""
    return type(
        "SchemaExecutionContext",
        (PlainFieldExecutionContext,),
        {"field_plan": plan_fields(schema), "operation_plans": {}},
    )
