"""The staking-gateway command: export-schema, migrate, clients create/list/revoke."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        },
        check=False,
    )


def test_export_schema_prints_what_is_checked_in(tmp_path):
    result = run("export-schema", database=tmp_path / "db.sqlite3")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema.graphql").read_text()


def test_migrate_then_clients_create_list_and_revoke(tmp_path):
    database = tmp_path / "db.sqlite3"
    assert "applied migrations: [1, 2]" in run("migrate", database=database).stdout
    assert "up to date" in run("migrate", database=database).stdout

    created = run(
        "clients", "create", "--name", "shop",
        "--dfns-wallet", "wa-1", "--dfns-wallet", "wa-2",
        "--zerohash-participant", "CUST01", "--crocante-user", "alice",
        database=database,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("sgw_")

    listed = run("clients", "list", database=database).stdout
    assert "shop" in listed and "DFNS=wa-1/wa-2" in listed and "active" in listed
    assert key not in listed

    prefix = "_".join(key.split("_")[:2])
    assert run("clients", "revoke", prefix, database=database).returncode == 0
    assert "revoked" in run("clients", "list", database=database).stdout
    assert run("clients", "revoke", prefix, database=database).returncode == 1
