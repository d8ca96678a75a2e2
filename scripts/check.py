"""Every check in one command: format, lint, types, import layering, tests (schema drift
included).

Run as `python -m scripts.check` (add `--fast` to skip the slow format/type checks).
"""

import subprocess
import sys

STEPS: list[tuple[str, list[str]]] = [
    ("format", ["ruff", "format", "--check", "."]),
    ("lint", ["ruff", "check", "."]),
    ("types", ["mypy", "gateway", "providers"]),
    ("layers", ["lint-imports"]),
    ("tests", ["pytest", "-q", "-p", "no:cacheprovider"]),
]


def main() -> int:
    fast = "--fast" in sys.argv
    bin_dir = sys.executable.rsplit("/", 1)[0]
    failed = []
    for name, command in STEPS:
        if fast and name in ("format", "types"):
            continue
        print(f"== {name}: {' '.join(command)}", flush=True)
        result = subprocess.run([f"{bin_dir}/{command[0]}", *command[1:]], check=False)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
