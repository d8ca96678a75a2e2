"""Hostile or garbage answers from Crocante are protocol errors, never crashes."""

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from gateway.domain.enums import StakeStatus
from providers.base import ProviderProtocolError
from providers.crocante import client as client_module
from providers.crocante.models import parse_position, parse_staking_type
from tests.providers.crocante.fakes import (
    mock_adapter,
    mock_client,
    ok,
    position_json,
    with_login,
)


def test_the_seed_example_position_parses_exactly():
    position = parse_position(position_json())

    assert position.type_id == "stake_btc_fixed_90"
    assert position.initial_amount == Decimal("0.5")
    assert position.yield_ == Decimal("0.00987")
    assert position.est_redeem_yield == Decimal("0.01096")
    assert position.redeemable_at == datetime(2026, 4, 15, 10, 30, tzinfo=UTC)
    assert position.operation.closed_at is None
    assert position.operation.status == "Active"
    assert position.staking_type.duration_days == 90


def test_times_with_an_offset_are_read_as_utc_and_naive_ones_as_utc():
    position = parse_position(position_json(startsAt="2026-01-15T12:30:00+02:00"))
    naive = parse_position(position_json(startsAt="2026-01-15T10:30:00"))

    assert (
        position.starts_at
        == naive.starts_at
        == datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    )


def test_optional_fields_may_be_absent_or_null():
    body = position_json(redeemableAt=None, estRedeemYield=None)
    del body["initialAPY"]

    position = parse_position(body)

    assert position.redeemable_at is None and position.initial_apy is None


def _with_operation(**changes):
    body = position_json()
    body["operation"] = {**body["operation"], **changes}
    return body


def _with_type(**changes):
    body = position_json()
    body["type"] = {**body["type"], **changes}
    return body


def _without(key):
    body = position_json()
    del body[key]
    return body


GARBAGE_POSITIONS = {
    "amount as a float": position_json(amount=0.5),
    "amount as garbage": position_json(amount="lots"),
    "negative amount": position_json(amount="-0.5"),
    "absurd amount": position_json(amount="1e30"),
    "infinite yield": position_json(**{"yield": "Infinity"}),
    "boolean yield": position_json(**{"yield": True}),
    "apy of 5000 %": position_json(apy="50"),
    "missing typeId": _without("typeId"),
    "missing operation": _without("operation"),
    "missing type": _without("type"),
    "operation as a list": position_json(operation=[]),
    "operation without id": _with_operation(id=None),
    "numeric operation id": _with_operation(id=17),
    "bad openedAt": _with_operation(openedAt="yesterday"),
    "missing status": _with_operation(status=None),
    "unknown mode": _with_type(mode="PERPETUAL"),
    "duration as a string": _with_type(durationDays="90"),
    "negative duration": _with_type(durationDays=-1),
    "boolean duration": _with_type(durationDays=True),
    "bad startsAt": position_json(startsAt=12345),
}


@pytest.mark.parametrize(
    "body", GARBAGE_POSITIONS.values(), ids=GARBAGE_POSITIONS.keys()
)
def test_a_malformed_position_is_a_protocol_error(body):
    with pytest.raises(ProviderProtocolError):
        parse_position(body)


@pytest.mark.parametrize(
    "body",
    [
        {"id": "x", "currencyId": "BTC", "mode": "FIXED", "apy": "0.1"},
        {"id": "x", "currencyId": "BTC", "mode": "FIXED", "apy": 0.1, "minAmount": "1"},
        {"id": "x", "currencyId": "", "mode": "FIXED", "apy": "0.1", "minAmount": "1"},
        "stake_btc_fixed_90",
    ],
)
def test_a_malformed_staking_type_is_a_protocol_error(body):
    with pytest.raises(ProviderProtocolError):
        parse_staking_type(body)


def answering(body, status=200):
    def handler(request):
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)

    return with_login(handler)


@pytest.mark.parametrize(
    "body",
    [
        b"<html>oops</html>",
        b"",
        [],
        {"status": 200},
        {"data": {"items": []}, "status": 200},
        {"data": [], "status": "200"},
        {"data": [position_json(amount=None)], "status": 200},
    ],
)
async def test_garbage_stake_lists_are_protocol_errors(body):
    async with mock_client(answering(body)) as client:
        with pytest.raises(ProviderProtocolError):
            await mock_adapter(client).list_stakes(["alice"])


def _listing(active_word: str | None, redeemed_word: str | None):
    def body(word: str | None) -> dict:
        if word is None:
            return {"data": [], "status": 200}
        operation = {**position_json()["operation"], "status": word}
        return {"data": [position_json(operation=operation)], "status": 200}

    def handler(request):
        redeemed = request.url.path.endswith("redeemed")
        return httpx.Response(
            200, json=body(redeemed_word if redeemed else active_word)
        )

    return with_login(handler)


async def test_an_open_position_with_an_unknown_word_is_a_protocol_error():
    async with mock_client(_listing("WEIRD", None)) as client:
        with pytest.raises(ProviderProtocolError):
            await mock_adapter(client).list_stakes(["alice"])


async def test_a_redeemed_listing_is_closed_whatever_its_word_even_if_listed_twice():
    async with mock_client(_listing("ACTIVE", "WEIRD")) as client:
        (stake,) = await mock_adapter(client).list_stakes(["alice"])
    assert stake.status is StakeStatus.WITHDRAWN
    assert stake.provider_status == "WEIRD"


@pytest.mark.parametrize("body", [b"not json", {"data": None}, {"data": [{"id": 1}]}])
async def test_garbage_product_lists_are_protocol_errors(body):
    async with mock_client(answering(body)) as client:
        with pytest.raises(ProviderProtocolError):
            await mock_adapter(client).list_products()


async def test_a_list_that_never_ends_is_a_protocol_error(monkeypatch):
    monkeypatch.setattr(client_module, "MAX_PAGES", 3)
    counter = iter(range(10_000))

    def handler(request):
        return ok([position_json(f"op_{next(counter)}")])

    async with mock_client(with_login(handler)) as client:
        adapter = mock_adapter(client, page_size=1)
        with pytest.raises(ProviderProtocolError):
            await adapter.list_stakes(["alice"])


async def test_a_position_repeated_across_pages_is_listed_once():
    pages = {
        "0": [position_json("op_1"), position_json("op_2")],
        "1": [position_json("op_2")],
    }

    def handler(request):
        if "redeemed" in request.url.path:
            return ok([])
        return ok(pages.get(request.url.params["page"], []))

    async with mock_client(with_login(handler)) as client:
        stakes = await mock_adapter(client, page_size=2).list_stakes(["alice"])

    assert [s.provider_stake_id for s in stakes] == ["op_1", "op_2"]
