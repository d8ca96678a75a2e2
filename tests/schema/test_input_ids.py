"""An id in an input that the gateway never gave out is one refusal everywhere: a
userError in every mutation's payload; previewStake, whose answer needs its product,
refuses it at the top level with the same message."""

import pytest

from gateway.domain.enums import Provider
from gateway.schema.ids import NodeId
from gateway.schema.schema import build_schema

SCHEMA = build_schema()
NOT_OURS = "This id is not one the gateway gave out."
A_STAKE = NodeId("Stake", Provider.DFNS, "wa-1", "st-1").encode()

MUTATIONS = {
    "createStake": ("CreateStakeInput", {"productId": "garbage", "amount": "1"}),
    "unstake": ("UnstakeInput", {"stakeId": "garbage"}),
    "createStakeAction": (
        "CreateStakeActionInput",
        {"stakeId": "garbage", "kind": "WITHDRAW"},
    ),
    "createAllocationAction": (
        "CreateAllocationActionInput",
        {"allocationId": "garbage", "kind": "DEPOSIT"},
    ),
}


def document(mutation: str, input_type: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) "
        "{ action { __typename } userErrors { code message field } } }"
    )


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_a_mutation_answers_an_id_not_ours_with_a_user_error(mutation: str):
    input_type, values = MUTATIONS[mutation]
    (field,) = (k for k, v in values.items() if v == "garbage")

    result = await SCHEMA.execute(
        document(mutation, input_type), variable_values={"input": values}
    )

    assert result.errors is None
    assert result.data == {
        mutation: {
            "action": None,
            "userErrors": [
                {
                    "code": "INVALID_INPUT",
                    "message": NOT_OURS,
                    "field": ["input", field],
                }
            ],
        }
    }


async def test_cancel_answers_an_action_id_not_ours_with_a_user_error():
    result = await SCHEMA.execute(
        'mutation { cancelStakeAction(id: "garbage") { action { __typename } '
        "userErrors { code message field } } }"
    )

    assert result.errors is None
    assert result.data == {
        "cancelStakeAction": {
            "action": None,
            "userErrors": [
                {"code": "INVALID_INPUT", "message": NOT_OURS, "field": ["id"]}
            ],
        }
    }


async def test_an_id_of_another_type_is_refused_the_same_way():
    input_type, values = MUTATIONS["createStake"]

    result = await SCHEMA.execute(
        document("createStake", input_type),
        variable_values={"input": {**values, "productId": A_STAKE}},
    )

    assert result.data is not None
    assert result.data["createStake"]["userErrors"] == [
        {
            "code": "INVALID_INPUT",
            "message": "This id does not name a StakingProduct.",
            "field": ["input", "productId"],
        }
    ]


async def test_preview_stake_refuses_an_id_not_ours_at_the_top_level():
    result = await SCHEMA.execute(
        "query($input: CreateStakeInput!) { previewStake(input: $input) { eligible } }",
        variable_values={"input": {"productId": "garbage", "amount": "1"}},
    )

    assert result.data is None
    assert result.errors is not None
    assert [(e.message, e.path) for e in result.errors] == [
        (NOT_OURS, ["previewStake"])
    ]
