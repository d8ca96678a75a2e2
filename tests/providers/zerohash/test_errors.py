"""What the adapter makes of refusals, outages and garbage: provider errors, never a crash."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from gateway.domain.commands import CreateStake, Unstake
from gateway.domain.enums import StakeStatus, UserErrorCode
from providers.base import (
    ProviderAuthError,
    ProviderProtocolError,
    ProviderRejected,
    ProviderUnavailable,
)
from providers.zerohash.adapter import request_id
from providers.zerohash.mapping import product_from_info, stake_from_record
from providers.zerohash.models import StakeRecord, StakingInfo
from tests.providers.zerohash.fakes import (
    Script,
    adapter_for,
    mock_client,
    ok,
    stake_json,
    wrapped,
)

ETH = product_from_info(StakingInfo("ETH", Decimal(3), 8, None, None, None, None))
ONE = Decimal(1)


def _stake_page(*stakes, page=1, total_pages=1):
    return ok(
        wrapped(
            {"stakes": list(stakes)},
            pagination={"page": page, "total_pages": total_pages, "total_records": 9},
        )
    )


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>maintenance</html>"),
        ok(["not", "an", "object"]),
        ok(wrapped({"stakes": "many"})),
        ok(wrapped({"stakes": [{"stake_id": "s-1"}]})),
        ok(wrapped({"stakes": [stake_json(quantity=1.5)]})),
        ok(wrapped({"stakes": [stake_json(quantity="1e30")]})),
        ok(wrapped({"stakes": [stake_json(quantity="NaN")]})),
        ok(wrapped({"stakes": [stake_json(quantity="-3")]})),
        ok(wrapped({"stakes": [stake_json(status="exploded")]})),
        ok(wrapped({"stakes": [stake_json(created_at="yesterday")]})),
        ok(wrapped({"stakes": [stake_json(stake_id=7)]})),
        ok(wrapped({"stakes": [stake_json(validator_info="X")]})),
        ok(wrapped({"stakes": [stake_json(stake_id="x" * 10_000)]})),
    ],
    ids=[
        "html", "list", "stakes-not-list", "missing-fields", "float", "absurd", "nan",
        "negative", "unknown-status", "bad-time", "id-type", "validator-type",
        "huge-id",
    ],
)  # fmt: skip
async def test_garbage_stake_lists_are_protocol_errors(response):
    async with mock_client(Script(response)) as client:
        with pytest.raises(ProviderProtocolError):
            await adapter_for(client).list_stakes(["CUST01"])


async def test_a_list_that_never_ends_its_pages_is_a_protocol_error():
    script = Script(_stake_page(stake_json(), page=1, total_pages=5))
    async with mock_client(script) as client:
        with pytest.raises(ProviderProtocolError):
            await adapter_for(client).list_stakes(["CUST01"])
    assert len(script.requests) == 2


async def test_stakes_are_read_across_pages():
    script = Script(
        _stake_page(stake_json(stake_id="a"), page=1, total_pages=2),
        _stake_page(stake_json(stake_id="b"), page=2, total_pages=2),
    )
    async with mock_client(script) as client:
        stakes = await adapter_for(client).list_stakes(["CUST01"])
    assert [s.provider_stake_id for s in stakes] == ["a", "b"]
    assert [r.url.params["page"] for r in script.requests] == ["1", "2"]


async def test_another_participants_stake_in_a_list_is_not_shown():
    script = Script(_stake_page(stake_json(), stake_json(participant_code="OTHER")))
    async with mock_client(script) as client:
        stakes = await adapter_for(client).list_stakes(["CUST01"])
    assert [s.owner for s in stakes] == ["CUST01"]


async def test_server_errors_are_retried_with_the_same_request_id_then_unavailable():
    script = Script(httpx.Response(500, json={"error_code": "INTERNAL_SERVER_ERROR"}))
    async with mock_client(script) as client:
        with pytest.raises(ProviderUnavailable) as failure:
            await adapter_for(client).create_stake(CreateStake("CUST01", ETH, ONE))
    assert failure.value.retryable
    ids = {r.headers["X-REQUEST-ID"] for r in script.requests}
    assert len(script.requests) == 3 and len(ids) == 1
    assert len({r.content for r in script.requests}) == 1


async def test_a_retry_that_succeeds_returns_the_result():
    script = Script(httpx.Response(503), ok(wrapped(stake_json(status="submitted"))))
    async with mock_client(script) as client:
        result = await adapter_for(client).create_stake(CreateStake("CUST01", ETH, ONE))
    assert result.stake.provider_stake_id == "stake-1"
    first, second = script.requests
    assert first.headers["X-REQUEST-ID"] == second.headers["X-REQUEST-ID"]


async def test_rate_limiting_is_unavailable_with_its_own_code():
    script = Script(httpx.Response(429, headers={"Retry-After": "0"}))
    async with mock_client(script) as client:
        with pytest.raises(ProviderUnavailable) as failure:
            await adapter_for(client).list_products()
    assert failure.value.code == "RATE_LIMITED"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (httpx.ConnectError("refused"), "UNREACHABLE"),
        (httpx.ReadTimeout("slow"), "TIMEOUT"),
    ],
)
async def test_network_failures_are_unavailable(error, code):
    def handler(request):
        raise error

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url="http://zh"
    ) as client:
        with pytest.raises(ProviderUnavailable) as failure:
            await adapter_for(client).list_products()
    assert failure.value.code == code


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_are_an_auth_error(status):
    body = {"error_code": "INVALID_TOKEN", "message": "Authentication token is invalid"}
    async with mock_client(Script(httpx.Response(status, json=body))) as client:
        with pytest.raises(ProviderAuthError):
            await adapter_for(client).list_products()


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        # The guide's own VALIDATION_FAILED sample: terms not accepted.
        (400, {"error_code": "VALIDATION_FAILED", "message": "Staking validation failed",
               "details": {"validation_checks": {"jurisdiction_allowed": True,
                           "terms_accepted": False, "platform_restrictions": "none",
                           "sufficient_balance": True}},
               "user_message": "Please accept staking terms and conditions to proceed"},
         UserErrorCode.TERMS_NOT_ACCEPTED),
        (400, {"error_code": "BELOW_MINIMUM_STAKE", "message": "below"},
         UserErrorCode.BELOW_MINIMUM_STAKE),
        (400, {"error_code": "INSUFFICIENT_BALANCE", "message": "poor"},
         UserErrorCode.INSUFFICIENT_BALANCE),
        (400, {"error_code": "JURISDICTION_RESTRICTED", "message": "no"},
         UserErrorCode.JURISDICTION_RESTRICTED),
        (400, {"error_code": "VALIDATION_FAILED", "message": "bad amount"},
         UserErrorCode.INVALID_INPUT),
        (400, {"error_code": "SOMETHING_NEW", "message": "?"},
         UserErrorCode.PROVIDER_REJECTED),
        (400, "not json", UserErrorCode.PROVIDER_REJECTED),
        (404, {"error_code": "NOT_FOUND", "message": "stake not found"},
         UserErrorCode.NOT_FOUND),
        (409, {"error_code": "DUPLICATE_REQUEST_ID", "message": "used"},
         UserErrorCode.IDEMPOTENCY_CONFLICT),
    ],
)  # fmt: skip
async def test_business_refusals_map_to_user_error_codes(status, body, code):
    response = (
        httpx.Response(status, json=body)
        if isinstance(body, dict)
        else httpx.Response(status, text=body)
    )
    async with mock_client(Script(response)) as client:
        with pytest.raises(ProviderRejected) as refused:
            await adapter_for(client).create_stake(CreateStake("CUST01", ETH, ONE))
    assert refused.value.user_error_code is code


async def test_the_user_message_is_what_the_caller_reads():
    body = {"error_code": "TERMS_NOT_ACCEPTED", "message": "technical",
            "user_message": "Please review and accept our staking terms"}  # fmt: skip
    async with mock_client(Script(httpx.Response(400, json=body))) as client:
        with pytest.raises(ProviderRejected) as refused:
            await adapter_for(client).create_stake(CreateStake("CUST01", ETH, ONE))
    assert refused.value.message == "Please review and accept our staking terms"


async def test_the_request_id_derives_from_the_external_id_and_participant():
    script = Script(ok(wrapped(stake_json(status="submitted"))))
    async with mock_client(script) as client:
        command = CreateStake("CUST01", ETH, ONE, external_id="ext-9")
        await adapter_for(client).create_stake(command)
        await adapter_for(client).create_stake(command)
    sent = [r.headers["X-REQUEST-ID"] for r in script.requests]
    assert sent[0] == sent[1] == request_id("stake", "CUST01", "ext-9")
    assert request_id("stake", "CUST02", "ext-9") != sent[0]
    assert uuid.UUID(sent[0])
    assert script.bodies()[0] == {
        "participant_code": "CUST01", "account_label": "general",
        "asset": "ETH", "amount": "1",
    }  # fmt: skip


@pytest.mark.parametrize("external_id", [None, "ext-9", "x" * 300])
def test_request_ids_are_uuid_v4_derived_or_not(external_id):
    rid = uuid.UUID(request_id("unstake", "CUST01", external_id))
    assert rid.version == 4
    assert rid.variant == uuid.RFC_4122
    if external_id is not None:
        assert str(rid) == request_id("unstake", "CUST01", external_id)


async def test_requests_without_an_external_id_get_fresh_request_ids():
    script = Script(ok(wrapped(stake_json(status="submitted"))))
    async with mock_client(script) as client:
        for _ in range(2):
            await adapter_for(client).create_stake(CreateStake("CUST01", ETH, ONE))
    first, second = (r.headers["X-REQUEST-ID"] for r in script.requests)
    assert first != second


async def test_an_unstake_that_succeeded_is_reported_even_if_the_reread_fails():
    unstake = {
        "unstake_id": "u-1", "stake_id": "stake-1", "amount": "1", "status": "submitted",
        "unstake_type": "partial", "created_at": "2026-03-02T10:00:00Z",
    }  # fmt: skip
    script = Script(ok(wrapped(unstake)), httpx.Response(500))
    stake = _stake_from_json()
    async with mock_client(script) as client:
        result = await adapter_for(client).unstake(Unstake("CUST01", stake, ONE))
    assert result.action.provider_action_id == "u-1"
    assert result.stake is None
    assert script.bodies()[0]["unstake_type"] == "partial"


def _stake_from_json():
    record = StakeRecord.from_json(stake_json())
    return stake_from_record(record, as_of=datetime(2026, 3, 2, tzinfo=UTC))


async def test_a_thin_stake_answer_whose_status_read_fails_is_still_submitted():
    script = Script(ok(wrapped({"stake_id": "stake-9"})), httpx.Response(500))
    async with mock_client(script) as client:
        result = await adapter_for(client).create_stake(CreateStake("CUST01", ETH, ONE))
    assert result.action.provider_action_id == "stake-9"
    assert result.stake.status is StakeStatus.PENDING
    assert result.stake.amount == ONE


async def test_a_thin_unstake_answer_is_read_as_its_id_then_its_status():
    status = {"unstake_id": "u-7", "amount": "1", "status": "broadcasted",
              "created_at": "2026-03-02T10:00:00Z"}  # fmt: skip
    script = Script(
        ok(wrapped({"unstake_id": "u-7"})), ok(wrapped(status)), httpx.Response(500)
    )
    async with mock_client(script) as client:
        result = await adapter_for(client).unstake(
            Unstake("CUST01", _stake_from_json(), ONE)
        )
    assert script.requests[1].url.path == "/stakes/unstake/u-7/status"
    assert result.action.provider_action_id == "u-7"
    assert result.action.provider_status == "broadcasted"


async def test_an_answer_without_any_id_is_a_protocol_error():
    async with mock_client(Script(ok(wrapped({"status": "submitted"})))) as client:
        with pytest.raises(ProviderProtocolError):
            await adapter_for(client).create_stake(CreateStake("CUST01", ETH, ONE))


async def test_a_full_but_garbled_stake_answer_is_a_protocol_error_not_thin():
    garbled = stake_json(quantity="NaN", status="submitted")
    async with mock_client(Script(ok(wrapped(garbled)))) as client:
        with pytest.raises(ProviderProtocolError):
            await adapter_for(client).create_stake(CreateStake("CUST01", ETH, ONE))
