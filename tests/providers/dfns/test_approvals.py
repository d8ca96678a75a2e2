"""Dfns policy approvals: a write held for approval is a normal outcome, its action
waiting (PENDING_APPROVAL), whether Dfns answers 200 with the action
`PendingPolicyApproval` (seed 000) or 202 (older Dfns, PROVIDERS.md 1.5); listed stakes
carry no actions, so they are read from `GET /staking/stakes/{id}/actions`."""

import json
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from gateway.domain.commands import CreateStake, CreateStakeAction
from gateway.domain.enums import ActionStatus, StakeActionKind, StakeStatus
from providers.dfns import DfnsAdapter
from providers.dfns.actions_cache import ActionsCache
from providers.dfns.models import parse_stake_action
from providers.dfns.sandbox import DfnsSandbox
from providers.sandbox_kit import SimulatedClock
from tests.providers.dfns.conftest import BASE_URL
from tests.providers.dfns.fakes import NOW, FakeDfns, adapter_for, stake_json

OWNER = "wa-owner-00000-00000000000000"
IOTA_VALIDATOR = "0x" + "cd" * 32


async def ethereum(adapter: DfnsAdapter):
    return next(p for p in await adapter.list_products() if p.protocol == "Ethereum")


def paths_of(http: httpx.AsyncClient) -> list[str]:
    seen: list[str] = []

    async def note(request: httpx.Request) -> None:
        seen.append(f"{request.method} {request.url.path}")

    http.event_hooks["request"].append(note)
    return seen


async def decide(http: httpx.AsyncClient, action_id: str, decision: str) -> None:
    answer = await http.post(
        f"/_sandbox/approvals/{action_id}", json={"decision": decision}
    )
    assert answer.status_code == 200, answer.text


async def test_a_held_stake_waits_listed_through_the_actions_endpoint(
    adapter, http, clock
):
    created = await adapter.create_stake(
        CreateStake(OWNER, await ethereum(adapter), Decimal(250))
    )
    assert created.action is not None and created.stake is not None
    assert created.action.status is ActionStatus.PENDING_APPROVAL
    assert created.action.provider_status == "PendingPolicyApproval"
    assert created.stake.status is StakeStatus.PENDING
    stake_id = created.stake.provider_stake_id
    seen = paths_of(http)
    (listed,) = await adapter.list_stakes([OWNER])
    assert f"GET /staking/stakes/{stake_id}/actions" in seen
    assert [(a.kind, a.status) for a in listed.actions] == [
        (StakeActionKind.STAKE, ActionStatus.PENDING_APPROVAL)
    ]
    assert listed.available_actions == ()
    await decide(http, created.action.provider_action_id, "Approved")
    (approved,) = await adapter.list_stakes([OWNER])
    assert [a.status for a in approved.actions] == [ActionStatus.IN_PROGRESS]
    await clock.advance(6 * 3600)
    (active,) = await adapter.list_stakes([OWNER])
    assert active.status is StakeStatus.ACTIVE
    assert [a.status for a in active.actions] == [ActionStatus.COMPLETED]


async def test_a_denied_stake_shows_its_action_rejected(adapter, http):
    created = await adapter.create_stake(
        CreateStake(OWNER, await ethereum(adapter), Decimal(500))
    )
    assert created.action is not None
    await decide(http, created.action.provider_action_id, "Denied")
    (listed,) = await adapter.list_stakes([OWNER])
    assert listed.status is StakeStatus.FAILED
    assert [a.status for a in listed.actions] == [ActionStatus.REJECTED]


@pytest.fixture
async def held_202(clock: SimulatedClock) -> AsyncIterator[tuple[DfnsAdapter, list]]:
    sandbox = DfnsSandbox(clock=clock, held_status=202)
    statuses: list[int] = []

    async def note(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, event_hooks={"response": [note]}
    ) as http:
        yield DfnsAdapter(http, sandbox.gateway_config(BASE_URL)), statuses


async def test_a_202_answer_is_a_held_write_not_an_error(held_202, clock):
    adapter, statuses = held_202
    small = await adapter.create_stake(
        CreateStake(OWNER, await ethereum(adapter), Decimal(1))
    )
    assert statuses[-1] == 200  # not held
    assert small.action is not None
    assert small.action.status is ActionStatus.IN_PROGRESS
    big = await adapter.create_stake(
        CreateStake(OWNER, await ethereum(adapter), Decimal(300))
    )
    assert statuses[-1] == 202
    assert big.action is not None
    assert big.action.status is ActionStatus.PENDING_APPROVAL


async def test_an_iota_deposit_held_by_a_202_shows_as_waiting(held_202, clock):
    adapter, statuses = held_202
    iota = next(p for p in await adapter.list_products() if p.protocol == "Iota")
    created = await adapter.create_stake(
        CreateStake(OWNER, iota, Decimal(5), validator=IOTA_VALIDATOR)
    )
    assert created.stake is not None
    await clock.advance(24 * 3600)
    stake = await adapter.get_stake(OWNER, created.stake.provider_stake_id)
    assert stake is not None and stake.status is StakeStatus.ACTIVE
    deposit = await adapter.create_stake_action(
        CreateStakeAction(OWNER, stake, StakeActionKind.DEPOSIT, Decimal(2_000_000))
    )
    assert statuses[-1] == 202
    assert deposit.action is not None
    assert deposit.action.kind is StakeActionKind.DEPOSIT
    assert deposit.action.status is ActionStatus.PENDING_APPROVAL
    assert deposit.stake is not None and deposit.stake.available_actions == ()


# 202 answers whose body is not the stake (the body is undocumented): read back.

STAKE_ID = "stk-aaaaa-bbbbb-cccccccccccccccc"


def _action(action_id: str, kind: str, status: str, **body: str) -> dict:
    return {
        "id": action_id,
        "stakeId": STAKE_ID,
        "status": status,
        "kind": kind,
        "requester": {"userId": "us-1"},
        "requestBody": {"protocol": "Ethereum", "kind": kind, **body},
        "dateCreated": NOW,
    }


async def test_a_bodiless_202_on_an_action_is_read_back_from_the_stake():
    withdraw = _action("stka-new", "Withdraw", "PendingPolicyApproval")
    posted: list[bool] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/rewards"):
            return httpx.Response(200)  # none yet
        if request.method == "POST":
            posted.append(True)
            return httpx.Response(202)
        actions = [_action("stka-old", "Stake", "Completed")]
        if posted:
            actions.append(withdraw)
        return httpx.Response(200, json=stake_json(actions=actions))

    adapter, http = adapter_for(FakeDfns(handler))
    async with http:
        stake = await adapter.get_stake(stake_json()["walletId"], STAKE_ID)
        assert stake is not None
        result = await adapter.create_stake_action(
            CreateStakeAction(stake.owner, stake, StakeActionKind.WITHDRAW)
        )
    assert result.action is not None
    assert result.action.provider_action_id == "stka-new"
    assert result.action.status is ActionStatus.PENDING_APPROVAL


async def test_a_bodiless_202_before_the_action_exists_shows_no_action_yet():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/rewards"):
            return httpx.Response(200)  # none yet
        if request.method == "POST":
            return httpx.Response(202)
        return httpx.Response(
            200, json=stake_json(actions=[_action("stka-old", "Withdraw", "Failed")])
        )

    adapter, http = adapter_for(FakeDfns(handler))
    async with http:
        stake = await adapter.get_stake(stake_json()["walletId"], STAKE_ID)
        assert stake is not None
        result = await adapter.create_stake_action(
            CreateStakeAction(stake.owner, stake, StakeActionKind.WITHDRAW)
        )
    # The older Withdraw is not taken for the held one.
    assert result.action is None
    assert result.stake is not None


async def test_a_bodiless_202_on_a_create_finds_the_stake_by_its_external_id():
    created = stake_json(
        requestBody={**stake_json()["requestBody"], "externalId": "order-7"},
        actions=[
            _action("stka-1", "Stake", "PendingPolicyApproval", externalId="order-7")
        ],
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(202, json={"message": "pending approval"})
        if request.url.path == "/staking/stakes":
            return httpx.Response(200, json={"items": [{**created, "actions": None}]})
        return httpx.Response(200, json=created)

    fake = FakeDfns(handler)
    adapter, http = adapter_for(fake)
    async with http:
        product = await ethereum(adapter)
        owner = stake_json()["walletId"]
        found = await adapter.create_stake(
            CreateStake(owner, product, Decimal(32), external_id="order-7")
        )
        unknown = await adapter.create_stake(CreateStake(owner, product, Decimal(32)))
    assert found.action is not None
    assert found.action.status is ActionStatus.PENDING_APPROVAL
    assert found.stake is not None and found.stake.provider_stake_id == STAKE_ID
    # Without an externalId the held stake cannot be told from an older twin.
    assert unknown.stake is None and unknown.action is None
    sent = [json.loads(r.content) for r in fake.requests if r.method == "POST"]
    assert any(b.get("externalId") == "order-7" for b in sent)


def test_kept_actions_serve_while_the_status_stands_and_the_ttl_runs():
    clock = SimulatedClock(time_scale=0.0)
    now = clock.now()
    cache = ActionsCache(ttl_seconds=30)
    pending = (parse_stake_action(_action("stka-1", "Stake", "InProgress")),)
    cache.put("stk-1", "Staking", now, pending)
    assert cache.get("stk-1", "Staking", now) == pending
    assert cache.get("stk-1", "Active", now) is None  # the stake moved on
    cache.put("stk-1", "Staking", now, pending)
    assert cache.get("stk-1", "Staking", now.replace(year=now.year + 1)) is None
    done = (parse_stake_action(_action("stka-1", "Stake", "Completed")),)
    cache.put("stk-2", "Withdrawn", now, done)
    # Over and settled: it changes no more, whatever the TTL.
    assert cache.get("stk-2", "Withdrawn", now.replace(year=now.year + 1)) == done
    no_ttl = ActionsCache(ttl_seconds=0)
    no_ttl.put("stk-1", "Staking", now, pending)
    assert no_ttl.get("stk-1", "Staking", now) is None
