"""What an operation may cost before it runs: a `first` cap and a cost ceiling.

Cost counts the objects an operation can make the gateway build: each object-typed
field is 1, times the size of every list around it. A list's size is the `first` of its
connection (the gateway's default page when omitted) or `default_list_size` for plain
lists. Scalars are free: the token limit bounds them. Each root mutation field adds
`mutation_cost`, for the provider call behind it.

Both rules are built per operation with its variables, since `first: $n` is only known
once the variables are.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_interface_type,
    is_list_type,
    is_object_type,
)

PAGE_ARGUMENT = "first"


@dataclass(frozen=True, slots=True)
class CostPolicy:
    max_cost: int
    max_page_size: int = 100
    default_list_size: int = 10
    default_page_size: int = 20
    mutation_cost: int = 10


def _page_value(node: ArgumentNode, variables: Mapping[str, Any]) -> int | None:
    value = node.value
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, VariableNode):
        found = variables.get(value.name.value)
        if isinstance(found, int) and not isinstance(found, bool):
            return found
    return None


class _Costing:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        policy: CostPolicy,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.policy = policy

    def operation(self, node: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(node.operation)
        if root is None:
            return 0
        cost = self.selections(node.selection_set, root, None, frozenset())
        if node.operation is OperationType.MUTATION:
            cost += self.policy.mutation_cost * len(node.selection_set.selections)
        return cost

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        page: int | None,
        visiting: frozenset[str],
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page, visiting)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = (
                    self.schema.get_type(condition.name.value) if condition else parent
                )
                if target is not None:
                    total += self.selections(
                        selection.selection_set, target, page, visiting
                    )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in visiting:
                    continue  # unknown or cyclic: the standard rules report it
                target = self.schema.get_type(fragment.type_condition.name.value)
                if target is not None:
                    total += self.selections(
                        fragment.selection_set, target, page, visiting | {name}
                    )
        return total

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        page: int | None,
        visiting: frozenset[str],
    ) -> int:
        definition = self._definition(parent, node.name.value)
        if definition is None:
            return 0  # introspection, __typename, or unknown (reported elsewhere)
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0
        listed = is_list_type(get_nullable_type(definition.type))
        size = (page or self.policy.default_list_size) if listed else 1
        child_page = self._page_size(node, definition)
        children = (
            self.selections(node.selection_set, named, child_page, visiting)
            if node.selection_set
            else 0
        )
        return size * (1 + children)

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        if PAGE_ARGUMENT not in definition.args:
            return None
        for argument in node.arguments or ():
            if argument.name.value == PAGE_ARGUMENT:
                value = _page_value(argument, self.variables)
                if value is not None:
                    return max(0, min(value, self.policy.max_page_size))
        return self.policy.default_page_size

    @staticmethod
    def _definition(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
        if name.startswith("__"):
            return None
        if is_object_type(parent) or is_interface_type(parent):
            return parent.fields.get(name)  # type: ignore[no-any-return]
        return None


def cost_of(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    policy: CostPolicy,
) -> int:
    return _Costing(schema, fragments, variables, policy).operation(operation)


def cost_rules(
    policy: CostPolicy, variables: Mapping[str, Any] | None
) -> tuple[type[ValidationRule], ...]:
    values: Mapping[str, Any] = variables or {}

    class PageSizeRule(ValidationRule):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            if node.name.value != PAGE_ARGUMENT:
                return
            value = _page_value(node, values)
            if value is not None and value > policy.max_page_size:
                self.report_error(
                    GraphQLError(
                        f"`first` is {value}, over the limit of {policy.max_page_size} "
                        "items a page: page through with `after` instead.",
                        node,
                        extensions={"code": "PAGE_TOO_LARGE"},
                    )
                )

    class QueryCostRule(ValidationRule):
        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_: object
        ) -> None:
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            cost = cost_of(self.context.schema, node, fragments, values, policy)
            if cost > policy.max_cost:
                self.report_error(
                    GraphQLError(
                        f"This operation costs {cost}, over the limit of "
                        f"{policy.max_cost}: ask for fewer items with `first`, or "
                        "nest fewer lists.",
                        node,
                        extensions={
                            "code": "QUERY_TOO_COSTLY",
                            "cost": cost,
                            "maxCost": policy.max_cost,
                        },
                    )
                )

    return PageSizeRule, QueryCostRule
