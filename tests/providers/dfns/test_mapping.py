"""The pure mapping from Dfns' words and units to the common model."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from gateway.domain.enums import (
    ActionStatus,
    ApprovalState,
    StakeActionKind,
    StakeStatus,
)
from gateway.domain.models import Approval
from providers.base import ProviderProtocolError
from providers.dfns.catalog import STAKING_PROTOCOLS
from providers.dfns.mapping import available_actions, to_stake
from providers.dfns.models import parse_stake
from providers.dfns.units import TooPrecise, from_min_units, to_min_units
from tests.providers.dfns.fakes import stake_json

AS_OF = datetime(2026, 1, 3, tzinfo=UTC)


def action(status: str, kind: str = "Stake") -> dict[str, Any]:
    return {
        "id": "stka-aaaaa-bbbbb-cccccccccccccccc",
        "stakeId": "stk-aaaaa-bbbbb-cccccccccccccccc",
        "kind": kind,
        "status": status,
        "requester": {"userId": "us-1"},
        "requestBody": {"protocol": "Iota", "kind": kind, "amount": "2500000000"},
        "dateCreated": "2026-01-02T03:04:05.678Z",
        "externalId": "ext-1",
    }


def iota_stake(
    status: str = "Active", actions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return stake_json(
        protocol="Iota",
        provider=None,
        status=status,
        requestBody={
            "protocol": "Iota",
            "walletId": "wa-owner-00000-00000000000000",
            "validator": "0xvalidator",
            "amount": "3000000000",
        },
        data={"kind": "Iota", "amount": "2000000000", "validator": "0xvalidator"},
        actions=actions or [],
    )


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Creating", StakeStatus.PENDING),
        ("Staking", StakeStatus.PENDING),
        ("Active", StakeStatus.ACTIVE),
        ("Unbonding", StakeStatus.UNBONDING),
        ("Unbond", StakeStatus.WITHDRAWABLE),
        ("Withdrawing", StakeStatus.WITHDRAWING),
        ("Withdrawn", StakeStatus.WITHDRAWN),
        ("Failed", StakeStatus.FAILED),
    ],
)
def test_every_stake_status_maps_and_keeps_the_providers_word(word, status):
    stake = to_stake(parse_stake(iota_stake(word)), AS_OF)
    assert stake.status is status and stake.provider_status == word


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("PendingPolicyApproval", ActionStatus.PENDING_APPROVAL),
        ("InProgress", ActionStatus.IN_PROGRESS),
        ("Completed", ActionStatus.COMPLETED),
        ("Failed", ActionStatus.FAILED),
        ("Rejected", ActionStatus.REJECTED),
    ],
)
def test_every_action_status_maps_and_keeps_the_providers_word(word, status):
    [mapped] = to_stake(parse_stake(iota_stake(actions=[action(word)])), AS_OF).actions
    assert mapped.status is status and mapped.provider_status == word


@pytest.mark.parametrize(
    ("word", "approval"),
    [
        ("PendingPolicyApproval", Approval(ApprovalState.PENDING)),
        ("Rejected", Approval(ApprovalState.REJECTED)),
        ("InProgress", None),
        ("Completed", None),
        ("Failed", None),
    ],
)
def test_an_action_shows_its_policy_approval_only_while_dfns_names_one(word, approval):
    [mapped] = to_stake(parse_stake(iota_stake(actions=[action(word)])), AS_OF).actions
    assert mapped.approval == approval
    # Dfns documents no approver counts or expiry on a staking action.
    if mapped.approval is not None:
        assert (mapped.approval.required, mapped.approval.received) == (None, None)
        assert mapped.approval.expires_at is None


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Stake", StakeActionKind.STAKE),
        ("Unbond", StakeActionKind.UNSTAKE),
        ("Withdraw", StakeActionKind.WITHDRAW),
        ("Deposit", StakeActionKind.DEPOSIT),
    ],
)
def test_every_action_kind_maps(kind, expected):
    [mapped] = to_stake(
        parse_stake(iota_stake(actions=[action("Completed", kind)])), AS_OF
    ).actions
    assert mapped.kind is expected


def test_an_unknown_action_status_is_a_protocol_error():
    with pytest.raises(ProviderProtocolError):
        to_stake(parse_stake(iota_stake(actions=[action("Paused")])), AS_OF)


def test_an_iota_stake_reads_asked_and_staked_amounts_in_whole_iota():
    stake = to_stake(
        parse_stake(iota_stake(actions=[action("Completed")])), AS_OF, Decimal(7)
    )
    assert stake.amount == Decimal(3) and stake.current_amount == Decimal(2)
    assert stake.asset.symbol == "IOTA" and stake.asset.decimals == 9
    assert stake.validator is not None
    assert stake.validator.id == "0xvalidator" and stake.validator.provider is None
    assert stake.provider_product_id == "Iota" and stake.rewards_earned == Decimal(7)
    assert stake.data_as_of == AS_OF
    [mapped] = stake.actions
    assert mapped.amount == Decimal("2.5") and mapped.external_id == "ext-1"
    assert mapped.owner == "wa-owner-00000-00000000000000"


@pytest.mark.parametrize("word", ["Withdrawn", "Failed"])
def test_a_closed_stake_holds_nothing(word):
    assert to_stake(parse_stake(iota_stake(word)), AS_OF).current_amount == 0


def test_babylon_and_xdc_validators_come_from_their_data():
    babylon = stake_json(
        protocol="Babylon",
        requestBody={"protocol": "Babylon", "amount": "50000000", "duration": 64000},
        data={"finalityProviders": ["fp-1"], "covenantPubkeys": [], "magicBytes": "x"},
    )
    mapped = to_stake(parse_stake(babylon), AS_OF)
    assert mapped.validator is not None and mapped.validator.id == "fp-1"
    assert mapped.amount == Decimal("0.5")
    xdc = stake_json(
        protocol="Xdc",
        provider=None,
        requestBody={"protocol": "Xdc", "candidate": "xdc01", "amount": "1" + "0" * 25},
        data={"candidate": "xdc01", "amount": "1" + "0" * 25},
    )
    validator = to_stake(parse_stake(xdc), AS_OF).validator
    assert validator is not None and validator.id == "xdc01"


P = STAKING_PROTOCOLS
U, W, D = StakeActionKind.UNSTAKE, StakeActionKind.WITHDRAW, StakeActionKind.DEPOSIT


@pytest.mark.parametrize(
    ("protocol", "status", "expected"),
    [
        ("Ethereum", StakeStatus.ACTIVE, (U, W)),
        ("Iota", StakeStatus.ACTIVE, (U, W, D)),
        ("Xdc", StakeStatus.ACTIVE, (U,)),
        # The current create-action body has no Babylon variant.
        ("Babylon", StakeStatus.ACTIVE, ()),
        ("Xdc", StakeStatus.WITHDRAWABLE, (U, W)),
        ("Babylon", StakeStatus.WITHDRAWABLE, ()),
        ("Ethereum", StakeStatus.PENDING, ()),
        ("Xdc", StakeStatus.UNBONDING, ()),
        ("Iota", StakeStatus.WITHDRAWN, ()),
        ("Ethereum", StakeStatus.FAILED, ()),
    ],
)
def test_available_actions_follow_protocol_and_status(protocol, status, expected):
    assert available_actions(P[protocol], status, ()) == expected


def test_no_action_is_available_while_one_is_in_flight():
    stake = to_stake(
        parse_stake(iota_stake(actions=[action("InProgress", "Deposit")])), AS_OF
    )
    assert stake.status is StakeStatus.ACTIVE and stake.available_actions == ()


@pytest.mark.parametrize(
    ("whole", "decimals", "units"),
    [
        (Decimal("1"), 18, 10**18),
        (Decimal("1.000000000000000001"), 18, 10**18 + 1),
        (Decimal("123456789.123456789"), 9, 123456789123456789),
        (Decimal("0.00000001"), 8, 1),
        (Decimal("1E+6"), 6, 10**12),
        (Decimal("99999999999999999999999"), 18, 99999999999999999999999 * 10**18),
    ],
)
def test_unit_conversion_is_exact_both_ways(whole, decimals, units):
    assert to_min_units(whole, decimals) == units
    assert from_min_units(units, decimals) == whole


def test_whole_units_come_back_without_trailing_zeros():
    assert str(from_min_units(32 * 10**18, 18)) == "32"
    assert str(from_min_units(1_500_000_000, 9)) == "1.5"


@pytest.mark.parametrize(
    "amount", ["0.000000001", "1E-30", "1E+100", "NaN", "Infinity"]
)
def test_amounts_the_asset_cannot_hold_are_refused(amount):
    with pytest.raises(TooPrecise):
        to_min_units(Decimal(amount), 8)
