"""The staking-gateway command: export-schema, migrate, clients create/list/revoke,
webhooks add/list/remove.

The commands run in this process (`gateway.cli.main`), as the entry point calls it; one
test runs the real `python -m gateway` to show the entry point is wired.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.cli import main

ROOT = Path(__file__).resolve().parents[1]
# Whatever the environment configures (real providers, another database, Redis) is
# not the command's under test.
CONFIGURED = (
    "DFNS_",
    "ZEROHASH_",
    "CROCANTE_",
    "GATEWAY_",
    "DATABASE_URL",
    "REDIS_URL",
)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(monkeypatch, capsys):
    for name in list(os.environ):
        if name.startswith(CONFIGURED):
            monkeypatch.delenv(name)

    def command(*args: str, database: Path) -> Ran:
        monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return command


def test_the_entry_point_runs_as_a_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "export-schema"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "schema.graphql").read_text()


def test_export_schema_prints_what_is_checked_in(run, tmp_path):
    result = run("export-schema", database=tmp_path / "db.sqlite3")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema.graphql").read_text()


def test_migrate_then_clients_create_list_and_revoke(run, tmp_path):
    database = tmp_path / "db.sqlite3"
    assert (
        "applied migrations: [1, 2, 3, 4]" in run("migrate", database=database).stdout
    )
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


def test_webhooks_add_list_and_remove(run, tmp_path):
    database = tmp_path / "db.sqlite3"
    created = run(
        "clients", "create", "--name", "shop", "--crocante-user", "alice",
        database=database,
    )  # fmt: skip
    client_id = created.stdout.split("(")[1].split(")")[0]

    # Sandbox mode (no provider URLs set) lets a receiver on loopback register.
    added = run(
        "webhooks", "add", "--client", client_id, "--url", "http://127.0.0.1:9/hook",
        "--event", "stake.status_changed", "--event", "reward.received",
        database=database,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    secret = added.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    endpoint_id = added.stdout.split()[3]

    listed = run("webhooks", "list", database=database).stdout
    assert endpoint_id in listed and "stake.status_changed,reward.received" in listed
    assert secret not in listed

    refused = run(
        "webhooks", "add", "--client", client_id, "--url", "http://169.254.169.254/",
        database=database,
    )  # fmt: skip
    assert refused.returncode == 1 and "private" in refused.stderr

    assert run("webhooks", "remove", endpoint_id, database=database).returncode == 0
    assert endpoint_id not in run("webhooks", "list", database=database).stdout
    assert run("webhooks", "remove", endpoint_id, database=database).returncode == 1
