"""Every type, field, argument and enum value of the schema is described."""

import re

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from gateway.schema.descriptions import DESCRIPTIONS, apply_descriptions
from gateway.schema.schema import build_schema

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def _undescribed(schema: GraphQLSchema) -> list[str]:
    missing: list[str] = []
    for name, gql_type in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not gql_type.description:
            missing.append(name)
        if isinstance(
            gql_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)
        ):
            for field_name, field in gql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(gql_type, GraphQLEnumType):
            for value_name, value in gql_type.values.items():
                if not value.description:
                    missing.append(f"{name}.{value_name}")
    return missing


@pytest.fixture
def schema() -> GraphQLSchema:
    gql_schema = build_schema()._schema
    apply_descriptions(gql_schema)
    return gql_schema


def test_nothing_lacks_a_description(schema: GraphQLSchema) -> None:
    assert _undescribed(schema) == []


def test_apply_is_idempotent_and_keeps_code_descriptions(
    schema: GraphQLSchema,
) -> None:
    coded = schema.type_map["Stake"].description
    apply_descriptions(schema)
    assert schema.type_map["Stake"].description == coded
    assert _undescribed(schema) == []


def test_table_entries_are_used() -> None:
    fresh = build_schema()._schema
    apply_descriptions(fresh)
    stake_status = fresh.type_map["StakeStatus"]
    assert isinstance(stake_status, GraphQLEnumType)
    assert (
        stake_status.values["CANCELED"].description
        == (DESCRIPTIONS["StakeStatus.CANCELED"])
    )


@pytest.mark.parametrize(
    "key",
    [
        "NoSuchType",
        "Stake.noSuchField",
        "StakeStatus.NO_SUCH_VALUE",
        "Query.stakes(noSuchArg)",
        "Decimal.field",
    ],
)
def test_a_key_naming_nothing_raises(schema: GraphQLSchema, key: str) -> None:
    with pytest.raises((KeyError, ValueError), match=re.escape(key)):
        apply_descriptions(schema, {key: "text"})
