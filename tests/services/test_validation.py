"""Inputs refused before any provider is called."""

from decimal import Decimal

import pytest

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider, StakingMode, UserErrorCode
from gateway.domain.errors import UserFacingError
from gateway.domain.models import Asset, StakingProduct
from gateway.services import validation

ETH = StakingProduct(
    Provider.CROCANTE,
    "eth",
    Asset("ETH"),
    StakingMode.VARIABLE,
    min_amount=Decimal("0.1"),
)


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-1", UserErrorCode.INVALID_INPUT),
        ("0", UserErrorCode.INVALID_INPUT),
        ("0.0000000000000000001", UserErrorCode.INVALID_INPUT),  # 19 places; ETH has 18
        ("0.05", UserErrorCode.BELOW_MINIMUM_STAKE),
    ],
)
def test_bad_amounts_are_refused_with_their_code(amount, code):
    with pytest.raises(UserFacingError) as raised:
        validation.stake_amount(ETH, Decimal(amount))
    assert raised.value.error.code is code
    assert raised.value.error.field == ("input", "amount")


def test_a_good_amount_passes_exactly():
    assert validation.stake_amount(ETH, Decimal("0.100000000000000001")) == Decimal(
        "0.100000000000000001"
    )


def test_the_owner_must_be_one_of_the_callers_identities():
    caller = Caller("c", "n", {Provider.DFNS: ("wa-1", "wa-2")})
    assert validation.owner_for(caller, Provider.DFNS, None) == "wa-1"
    assert validation.owner_for(caller, Provider.DFNS, "wa-2") == "wa-2"
    with pytest.raises(UserFacingError) as raised:
        validation.owner_for(caller, Provider.DFNS, "wa-someone-else")
    assert raised.value.error.code is UserErrorCode.FORBIDDEN
    with pytest.raises(UserFacingError):
        validation.owner_for(caller, Provider.ZEROHASH, None)


def test_an_external_id_has_a_sane_length():
    assert validation.external_id("order-1") == "order-1"
    for bad in ("", "   ", "x" * 129):
        with pytest.raises(UserFacingError):
            validation.external_id(bad)
