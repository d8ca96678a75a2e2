"""examples/typescript: graphql-codegen generates a typed client from schema.graphql,
and TypeScript checks the example's query, mutation and subscription against it; a
schema change that breaks the client fails the check. Skipped where npm is missing
(the first run installs the example's locked packages from the npm registry)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.processes import REPO

EXAMPLE = REPO / "examples" / "typescript"
SCHEMA = REPO / "schema.graphql"
NPM = shutil.which("npm")

pytestmark = [
    pytest.mark.skipif(NPM is None, reason="npm is not installed"),
    pytest.mark.timeout(900),
]


def npm(*args: str, cwd: Path, schema: Path = SCHEMA, timeout: float = 600):
    assert NPM is not None
    return subprocess.run(
        [NPM, *args],
        cwd=cwd,
        env={**os.environ, "SCHEMA": str(schema), "NO_COLOR": "1", "CI": "true"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def installed() -> Path:
    """The example's node_modules, installed once from package-lock.json."""
    if not (EXAMPLE / "node_modules" / ".bin" / "graphql-codegen").exists():
        done = npm("ci", "--no-audit", "--no-fund", cwd=EXAMPLE)
        assert done.returncode == 0, done.stdout + done.stderr
    return EXAMPLE / "node_modules"


@pytest.fixture
def example(installed: Path, tmp_path: Path) -> Path:
    """A copy of the example (so a broken schema never touches the tree) sharing the
    installed packages."""
    copy = tmp_path / "typescript"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("node_modules", "gql"))
    (copy / "node_modules").symlink_to(installed, target_is_directory=True)
    return copy


def test_the_generated_client_type_checks_a_query_a_mutation_and_a_subscription(
    example,
):
    checked = npm("run", "check", cwd=example)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    generated = (example / "src" / "gql" / "graphql.ts").read_text()
    for name in ("PortfolioQuery", "CreateStakeMutation", "WatchStakesSubscription"):
        assert f"export type {name} =" in generated
    # Exact decimals stay strings in the generated types.
    assert "amount: string" in generated


@pytest.mark.parametrize(
    ("change", "old", "new", "said"),
    [
        # Codegen passes; TypeScript sees a number that may now be null.
        (
            "nullable",
            "  stakeCount: Int!\n",
            "  stakeCount: Int\n",
            "src/main.ts",
        ),
        # The subscription's document no longer validates: codegen refuses it.
        (
            "renamed",
            "  previousStatus: StakeStatus\n",
            "  formerStatus: StakeStatus\n",
            "previousStatus",
        ),
    ],
)
def test_a_schema_change_that_breaks_the_client_fails_the_check(
    example, tmp_path, change, old, new, said
):
    sdl = SCHEMA.read_text()
    assert sdl.count(old) == 1
    changed = tmp_path / f"{change}.graphql"
    changed.write_text(sdl.replace(old, new))
    checked = npm("run", "check", cwd=example, schema=changed)
    output = checked.stdout + checked.stderr
    assert checked.returncode != 0, output
    assert said in output, output
