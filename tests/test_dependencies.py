"""Every distribution the code imports is declared in pyproject.toml, not merely brought
along by another one (a lock or a new release of that one could drop it)."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
OURS = {"gateway", "providers", "tests", "bench", "scripts"}
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "project"
]


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return _normal(match.group())


def _normal(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


RUNTIME = {_name(r) for r in PROJECT["dependencies"]}
# gateway/otel.py imports OpenTelemetry only when the `otel` extra is installed.
RUNTIME_AND_OTEL = RUNTIME | {
    _name(r) for r in PROJECT["optional-dependencies"]["otel"]
}
EVERYTHING = RUNTIME | {
    _name(r) for extra in PROJECT["optional-dependencies"].values() for r in extra
}


def _optional(node: ast.Try) -> bool:
    """A `try: import x` / `except ImportError:` fallback: x may be missing."""
    caught = [h.type for h in node.handlers if h.type is not None]
    names = {n.id for t in caught for n in ast.walk(t) if isinstance(n, ast.Name)}
    return bool(names & {"ImportError", "ModuleNotFoundError"})


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and _optional(node):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found - OURS - set(sys.stdlib_module_names)


def undeclared(folders: list[str], declared: set[str]) -> dict[str, list[str]]:
    """Top-level imports no declared distribution provides, with a file that has each."""
    providers = packages_distributions()
    missing: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for module in _imports(tree):
                distributions = {_normal(d) for d in providers.get(module, [])}
                if not distributions & declared:
                    missing.setdefault(module, []).append(str(path.relative_to(ROOT)))
    return missing


def test_the_packages_import_only_declared_runtime_distributions() -> None:
    assert undeclared(["gateway", "providers"], RUNTIME_AND_OTEL) == {}


def test_the_tests_bench_scripts_and_examples_import_only_declared_distributions() -> (
    None
):
    assert undeclared(["tests", "bench", "scripts", "examples"], EVERYTHING) == {}


def test_an_import_with_a_fallback_is_optional_and_any_other_is_required() -> None:
    tree = ast.parse(
        "import cross_web.http\nfrom jwt import decode\nimport os\n"
        "try:\n    import uvloop\nexcept ImportError:\n    uvloop = None\n"
    )
    assert _imports(tree) == {"cross_web", "jwt"}


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {
        _normal(name): version
        for name, version in re.findall(r"^([A-Za-z0-9][\w.-]*)==(\S+)", text, re.M)
    }


def test_the_lock_pins_every_declared_distribution_within_its_bounds() -> None:
    pins = _pins("requirements-dev.lock")
    declared = [
        *PROJECT["dependencies"],
        *(r for extra in PROJECT["optional-dependencies"].values() for r in extra),
    ]
    outside = []
    for line in declared:
        requirement = Requirement(line)
        name = _normal(requirement.name)
        if name == _normal(PROJECT["name"]):
            continue
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        version = pins.get(name)
        if version is None or not requirement.specifier.contains(
            version, prereleases=True
        ):
            outside.append(f"{line}: locked {version}")
    # Changed pyproject.toml? `python -m scripts.lock` (README: the lock).
    assert outside == []


def test_the_runtime_lock_is_the_dev_lock_without_the_dev_tools() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert {_name(r) for r in PROJECT["dependencies"]} <= set(runtime)
    assert "pytest" not in runtime
