"""The cost model: objects the operation can make the gateway build, lists multiplied."""

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from gateway.schema.schema import build_schema
from gateway.security.cost import CostPolicy, cost_of

SCHEMA = build_schema()._schema
POLICY = CostPolicy(max_cost=10_000)


def cost(query: str, variables=None) -> int:
    document = parse(query)
    fragments = {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    )
    return cost_of(SCHEMA, operation, fragments, variables or {}, POLICY)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ __typename }", 0),
        ("{ portfolio { stakeCount } }", 1),
        # stakes 1 + 5 edges x (edge 1 + node 1)
        ("{ stakes(first: 5) { edges { node { id } } } }", 11),
        # first omitted: the gateway's default page of 20
        ("{ stakes { edges { node { id } } } }", 41),
        # a plain list counts as default_list_size (10)
        ("{ stakingProducts { id asset { symbol } } }", 20),
        (
            "{ stakes(first: 2) { edges { node { rewards(first: 3) { edges { cursor } } } } } }",
            1 + 2 * (1 + 1 + (1 + 3)),
        ),
        ("query($n: Int) { stakes(first: $n) { edges { cursor } } }", 1 + 7),
    ],
)
def test_cost_counts_objects_times_the_lists_around_them(query, expected):
    assert cost(query, {"n": 7}) == expected


def test_the_same_fields_cost_the_same_through_a_fragment_or_inline_fragment():
    plain = cost("{ stakes(first: 3) { edges { node { id product { id } } } } }")
    spread = cost(
        "fragment F on Stake { id product { id } } "
        "{ stakes(first: 3) { edges { node { ...F } } } }"
    )
    inline = cost(
        "{ stakes(first: 3) { edges { node { ... on Stake { id product { id } } } } } }"
    )
    assert plain == spread == inline


def test_a_cyclic_fragment_does_not_hang_the_cost_model():
    query = (
        "fragment A on Stake { product { id } ...B } fragment B on Stake { ...A } "
        "{ stakes(first: 1) { edges { node { ...A } } } }"
    )
    assert cost(query) > 0


def test_each_mutation_field_adds_the_weight_of_a_provider_call():
    one = cost("mutation { acceptStakingTerms(provider: DFNS) { accepted } }")
    two = cost(
        "mutation { a: acceptStakingTerms(provider: DFNS) { accepted } "
        "b: acceptStakingTerms(provider: DFNS) { accepted } }"
    )
    assert two - one == one == 1 + POLICY.mutation_cost


def test_unknown_fields_cost_nothing_and_are_left_to_validation():
    assert cost("{ nope { deeper } stakes(first: 1) { edges { cursor } } }") == 2
