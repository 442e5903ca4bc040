"""The checked-in SDL is what `reports schema` prints, and it honours the contract."""

from __future__ import annotations

import subprocess

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    build_schema,
    print_ast,
)

from schema.root import schema
from service.processes import PROJECT_ROOT, REPORTS_COMMAND

# The repository's copy of the public contract (its source is the team's shared folder):
# the base, and the schedules' extension of it.
CONTRACT = PROJECT_ROOT / "schema" / "contract.graphql"
CONTRACT_SCHEDULES = PROJECT_ROOT / "schema" / "contract-schedules.graphql"
CHECKED_IN = PROJECT_ROOT / "schema.graphql"


def test_checked_in_sdl_is_what_reports_schema_prints() -> None:
    printed = subprocess.run(
        [*REPORTS_COMMAND, "schema"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed == CHECKED_IN.read_text(), (
        "schema.graphql is stale: run `reports schema > schema.graphql`"
    )
    assert printed.strip() == schema.as_str().strip()


def default_of(argument: GraphQLArgument) -> str | None:
    """An argument's default as SDL writes it; None if it has none (or `= null`, which
    means the same for a nullable argument)."""
    if argument.default is None or argument.default.literal is None:
        return None
    written = print_ast(argument.default.literal)
    return None if written == "null" else written


def contract_schema() -> GraphQLSchema:
    return build_schema(CONTRACT.read_text() + "\n" + CONTRACT_SCHEDULES.read_text())


def test_everything_in_the_contract_exists_with_the_same_types() -> None:
    contract = contract_schema()
    real = build_schema(CHECKED_IN.read_text())
    for name, expected in contract.type_map.items():
        if name.startswith("__"):
            continue
        actual = real.type_map.get(name)
        assert actual is not None, f"type {name} is missing"
        assert type(actual) is type(expected), f"{name} changed kind"
        if isinstance(expected, GraphQLEnumType):
            assert isinstance(actual, GraphQLEnumType)
            assert set(expected.values) <= set(actual.values), f"enum {name} lost values"
        if isinstance(expected, GraphQLObjectType | GraphQLInputObjectType):
            assert isinstance(actual, GraphQLObjectType | GraphQLInputObjectType)
            for field_name, field in expected.fields.items():
                assert field_name in actual.fields, f"{name}.{field_name} is missing"
                real_field = actual.fields[field_name]
                assert str(real_field.type) == str(field.type), f"{name}.{field_name} type"
                if isinstance(expected, GraphQLInputObjectType):
                    assert real_field.default_value == field.default_value, (
                        f"{name}.{field_name} default"
                    )
                    continue
                for arg_name, arg in field.args.items():
                    real_arg = real_field.args.get(arg_name)
                    assert real_arg is not None, f"{name}.{field_name}({arg_name}) is missing"
                    assert str(real_arg.type) == str(arg.type), f"{name}.{field_name}({arg_name})"
                    # graphql-core 3.3 keeps a default read from SDL as a literal.
                    assert default_of(real_arg) == default_of(arg), (
                        f"{name}.{field_name}({arg_name}) default"
                    )
                extra = {
                    a
                    for a, v in real_field.args.items()
                    if a not in field.args
                    and str(v.type).endswith("!")
                    and v.default_value is Undefined
                }
                assert not extra, f"{name}.{field_name} gained required arguments {extra}"
