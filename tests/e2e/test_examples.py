"""examples/: the operations are valid against the schema, and the Python client watches
a stake go from PENDING to ACTIVE on a real gateway."""

import asyncio
import sys

import httpx
import pytest
from graphql import parse, validate

from gateway.schema.schema import build_schema
from tests.e2e.processes import DEMO_KEY, REPO, Server, environment

EXAMPLES = REPO / "examples"
OPERATIONS = sorted((EXAMPLES / "operations").glob("*.graphql"))
ZEROHASH_ETH = "WyJTdGFraW5nUHJvZHVjdCIsIlpFUk9IQVNIIiwiIiwiRVRIIl0"


def test_the_common_operations_are_all_there():
    names = {path.stem for path in OPERATIONS}
    assert {
        "overview",
        "stakes",
        "stake",
        "staking_products",
        "create_stake",
        "unstake",
        "rewards",
        "watch_stakes",
    } <= names


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.name)
def test_an_example_operation_is_valid_against_the_schema(path):
    document = parse(path.read_text(encoding="utf-8"))
    assert validate(build_schema()._schema, document) == []
    assert len(document.definitions) == 1 and document.definitions[0].name


async def _line(stream: asyncio.StreamReader) -> str:
    raw = await asyncio.wait_for(stream.readline(), 20)
    assert raw, "the client exited early"
    return raw.decode().rstrip()


@pytest.mark.e2e
async def test_the_python_client_prints_a_stake_going_active(served: Server):
    pytest.importorskip("gql")
    async with httpx.AsyncClient(base_url=served.url, timeout=20) as http:
        created = (
            await http.post(
                "/graphql",
                json={
                    "query": """mutation($input: CreateStakeInput!) {
                    createStake(input: $input) { stake { id } } }""",
                    "variables": {"input": {"productId": ZEROHASH_ETH, "amount": "1"}},
                },
                headers={"Authorization": f"Bearer {DEMO_KEY}"},
            )
        ).json()["data"]["createStake"]["stake"]["id"]
        client = await asyncio.create_subprocess_exec(
            sys.executable,
            str(EXAMPLES / "watch_stake.py"),
            created,
            "--url",
            f"{served.url}/graphql",
            "--after",
            "0",
            "--count",
            "2",
            env=environment({"STAKING_GATEWAY_KEY": DEMO_KEY}),
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert client.stdout is not None
            assert (await _line(client.stdout)) == f"Watching {created}"
            # `--after 0` replays the stake's creation first: the subscription is live.
            replayed = await _line(client.stdout)
            assert "(new) -> PENDING" in replayed and created in replayed
            moved = await http.post(
                "/sandbox/zerohash/_sandbox/clock", json={"advance_seconds": 2 * 86400}
            )
            assert moved.status_code == 200
            live = await _line(client.stdout)
            assert "PENDING -> ACTIVE" in live and created in live
            assert await asyncio.wait_for(client.wait(), 20) == 0
        finally:
            if client.returncode is None:
                client.kill()
                await client.wait()
