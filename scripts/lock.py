"""Rewrites the lock files from pyproject.toml: the whole tree pinned, with PyPI's hashes.

    python -m scripts.lock                           # after changing a dependency
    python -m scripts.lock --upgrade                 # all to the newest the bounds allow
    python -m scripts.lock -P strawberry-graphql     # one package (-P again for more)

Needs pip-tools (`pip install pip-tools`). `requirements-dev.lock` is what a developer and
CI install, `requirements.lock` (runtime only, the same pins) what the Dockerfile does.
Both are made against PyPI alone, ignoring this machine's pip configuration: a local
index or wheel folder would put hashes of files a fresh machine never sees into them.
They are made on CPython 3.11 for Linux, as CI and the image run.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = "requirements-dev.lock"
RUNTIME = "requirements.lock"
# pip settings that choose where packages come from.
SOURCES = ("FIND_LINKS", "INDEX_URL", "EXTRA_INDEX_URL", "NO_INDEX", "CONSTRAINT")


def _compile(output: str, options: list[str]) -> None:
    command = [
        *(sys.executable, "-m", "piptools", "compile", "--quiet"),
        *("--generate-hashes", "--allow-unsafe", "--strip-extras"),
        *("--index-url", "https://pypi.org/simple", "--no-emit-index-url"),
        *("--output-file", output, *options, "pyproject.toml"),
    ]
    environment = {
        name: value
        for name, value in os.environ.items()
        if name.removeprefix("PIP_") not in SOURCES
    }
    environment["PIP_CONFIG_FILE"] = os.devnull
    environment["CUSTOM_COMPILE_COMMAND"] = "python -m scripts.lock"
    subprocess.run(command, cwd=ROOT, env=environment, check=True)
    _drop_self(ROOT / output)


def _drop_self(path: Path) -> None:
    """The dev extra names `staking-gateway[otel]`: the project itself is no pin."""
    kept: list[str] = []
    skipping = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# WARNING: pip install will require the following package"):
            skipping = True
        elif skipping and not line.startswith(("#", " ", "staking-gateway @")):
            skipping = False
        if not skipping:
            kept.append(line)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def main() -> int:
    options = sys.argv[1:]
    _compile(DEV, ["--extra", "dev", *options])
    _compile(RUNTIME, ["--constraint", DEV, *options])
    # pip-compile warned of an unhashed `staking-gateway @ file://`: dropped above.
    print(f"wrote {DEV} and {RUNTIME} (without the project itself)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
