"""The exported SDL is checked in, and it keeps every promise of the public contract."""

from pathlib import Path

from graphql import build_schema, find_breaking_changes

from gateway.schema.schema import export_sdl

ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_equals_the_exported_sdl():
    assert (ROOT / "schema.graphql").read_text() == export_sdl(), (
        "schema.graphql drifted: run `staking-gateway export-schema > schema.graphql`"
    )


def test_the_schema_breaks_nothing_in_the_contract():
    contract = build_schema((ROOT / "tests" / "contract.graphql").read_text())
    ours = build_schema(export_sdl())
    assert [c.description for c in find_breaking_changes(contract, ours)] == []


def test_the_contract_copy_matches_the_shared_one_when_it_is_beside_us():
    shared = ROOT.parent / "shared" / "contract.graphql"
    if shared.exists():
        assert shared.read_text() == (ROOT / "tests" / "contract.graphql").read_text()
