"""The adapter against a Zerohash written from PROVIDERS.md alone (`doc_fake`)."""

import json
import time
import uuid
from decimal import Decimal

import httpx
import pytest

from gateway.domain.commands import CreateStake, Unstake
from gateway.domain.enums import ActionStatus, StakeActionKind, StakeStatus
from providers.zerohash import ZerohashAdapter
from tests.providers.zerohash.doc_fake import STAKE_FIELDS, UNSTAKE_FIELDS, DocFake
from tests.providers.zerohash.fakes import config
from tests.providers.zerohash.helpers import API_KEY, API_SECRET, PASSPHRASE
from tests.providers.zerohash.test_errors import ETH

NOW = time.time()


def _fake(**options: bool) -> DocFake:
    return DocFake(API_KEY, API_SECRET, PASSPHRASE, now=lambda: NOW, **options)


def _adapter(fake: DocFake) -> tuple[ZerohashAdapter, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake), base_url="http://zh")
    adapter = ZerohashAdapter(
        http, config(), retry_base_delay=0, wall_clock=lambda: NOW
    )
    return adapter, http


def _body(request: httpx.Request) -> dict[str, str]:
    body = json.loads(request.content)
    assert isinstance(body, dict)
    return body


def _staked(fake: DocFake, stake_id: str) -> None:
    fake.stakes[stake_id]["status"] = "staked"


@pytest.mark.parametrize("thin", [True, False])
async def test_a_stake_is_sent_as_documented_and_a_thin_answer_is_read(thin):
    fake = _fake(thin=thin)
    adapter, http = _adapter(fake)
    async with http:
        result = await adapter.create_stake(CreateStake("CUST01", ETH, Decimal(2)))
    assert fake.violations == []
    post = fake.requests[0]
    assert set(_body(post)) == STAKE_FIELDS
    assert uuid.UUID(post.headers["X-REQUEST-ID"]).version == 4
    (stake_id,) = fake.stakes
    assert result.action.provider_action_id == stake_id
    assert result.stake.status is StakeStatus.PENDING
    assert result.stake.amount == 2
    if thin:  # the id only: the status is read next
        assert fake.requests[1].url.path == f"/stakes/{stake_id}/status"


async def test_an_unstake_is_asset_level_followed_by_its_id_and_cancelable():
    fake = _fake(thin=True)
    adapter, http = _adapter(fake)
    async with http:
        created = await adapter.create_stake(CreateStake("CUST01", ETH, Decimal(3)))
        _staked(fake, created.action.provider_action_id)
        stake = await adapter.get_stake("CUST01", created.action.provider_action_id)
        assert stake is not None
        result = await adapter.unstake(Unstake("CUST01", stake, Decimal(1)))
        assert fake.violations == []
        (unstake_id,) = fake.unstakes
        post = next(r for r in fake.requests if r.url.path == "/stakes/unstake")
        body = _body(post)
        assert set(body) == UNSTAKE_FIELDS  # no stake_id
        assert body == {
            "participant_code": "CUST01",
            "account_label": "general",
            "asset": "ETH",
            "amount": "1",
            "unstake_type": "partial",
        }
        assert result.action.provider_action_id == unstake_id
        assert result.action.kind is StakeActionKind.UNSTAKE
        assert result.action.provider_stake_id == stake.provider_stake_id
        assert result.stake is not None
        assert result.stake.status is StakeStatus.UNBONDING
        # Polling reads the unstake by its own id.
        fake.requests.clear()
        (listed,) = await adapter.list_stakes(["CUST01"])
        paths = [r.url.path for r in fake.requests]
        assert f"/stakes/unstake/{unstake_id}/status" in paths
        assert listed.status is StakeStatus.UNBONDING
        assert [a.provider_action_id for a in listed.actions][-1] == unstake_id
        canceled = await adapter.cancel_unstake("CUST01", unstake_id)
        assert canceled.status is ActionStatus.CANCELED
        assert fake.requests[-1].url.path == f"/stakes/unstake/{unstake_id}/cancel"
        (after,) = await adapter.list_stakes(["CUST01"])
        assert after.status is StakeStatus.ACTIVE
    assert fake.violations == []


async def test_a_retried_call_reuses_its_uuid_v4_request_id():
    fake = _fake(fail_first_post=True)
    adapter, http = _adapter(fake)
    async with http:
        await adapter.create_stake(
            CreateStake("CUST01", ETH, Decimal(1), external_id="ext-1")
        )
    posts = [r for r in fake.requests if r.method == "POST"]
    assert len(posts) == 2
    first, second = (r.headers["X-REQUEST-ID"] for r in posts)
    assert first == second
    assert uuid.UUID(first).version == 4
    assert fake.violations == []
