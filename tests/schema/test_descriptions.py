"""Every type, field, argument and enum value of the schema is described, in code beside
it (GraphiQL's docs show it all)."""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

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


def test_nothing_lacks_a_description() -> None:
    assert _undescribed(build_schema()._schema) == []


def test_a_domain_enum_value_is_described_where_it_is_registered() -> None:
    stake_status = build_schema()._schema.type_map["StakeStatus"]
    assert isinstance(stake_status, GraphQLEnumType)
    assert stake_status.values["CANCELED"].description == (
        "Canceled before it was broadcast (Zerohash). Final."
    )
