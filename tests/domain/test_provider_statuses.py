"""Every provider status word maps to exactly the common status the contract promises."""

import pytest

from gateway.domain.enums import ActionStatus, Provider, StakeStatus
from gateway.domain.provider_statuses import (
    UnknownProviderStatus,
    action_status,
    stake_status,
    zerohash_unstaking_status,
)

S, A = StakeStatus, ActionStatus

STAKE_ROWS = [
    (Provider.DFNS, "Creating", S.PENDING),
    (Provider.DFNS, "Staking", S.PENDING),
    (Provider.DFNS, "Active", S.ACTIVE),
    (Provider.DFNS, "Unbonding", S.UNBONDING),
    (Provider.DFNS, "Unbond", S.WITHDRAWABLE),
    (Provider.DFNS, "Withdrawing", S.WITHDRAWING),
    (Provider.DFNS, "Withdrawn", S.WITHDRAWN),
    (Provider.DFNS, "Failed", S.FAILED),
    (Provider.ZEROHASH, "submitted", S.PENDING),
    (Provider.ZEROHASH, "broadcasted", S.PENDING),
    (Provider.ZEROHASH, "confirmed", S.PENDING),
    (Provider.ZEROHASH, "staked", S.ACTIVE),
    (Provider.ZEROHASH, "canceled", S.CANCELED),
    (Provider.ZEROHASH, "failed", S.FAILED),
    (Provider.CROCANTE, "PENDING", S.PENDING),
    (Provider.CROCANTE, "ACTIVE", S.ACTIVE),
    (Provider.CROCANTE, "Active", S.ACTIVE),
    (Provider.CROCANTE, "COMPLETED", S.ACTIVE),
    (Provider.CROCANTE, "REDEEMED", S.WITHDRAWN),
    (Provider.CROCANTE, "Redeemed", S.WITHDRAWN),
    (Provider.CROCANTE, "CLOSED", S.WITHDRAWN),
    (Provider.CROCANTE, "FAILED", S.FAILED),
    (Provider.CROCANTE, "CANCELED", S.CANCELED),
    (Provider.CROCANTE, "Cancelled", S.CANCELED),
]

ACTION_ROWS = [
    (Provider.DFNS, "PendingPolicyApproval", A.PENDING_APPROVAL),
    (Provider.DFNS, "InProgress", A.IN_PROGRESS),
    (Provider.DFNS, "Completed", A.COMPLETED),
    (Provider.DFNS, "Failed", A.FAILED),
    (Provider.DFNS, "Rejected", A.REJECTED),
    (Provider.ZEROHASH, "submitted", A.PENDING),
    (Provider.ZEROHASH, "broadcasted", A.IN_PROGRESS),
    (Provider.ZEROHASH, "confirmed", A.IN_PROGRESS),
    (Provider.ZEROHASH, "staked", A.COMPLETED),
    (Provider.ZEROHASH, "unstaked", A.COMPLETED),
    (Provider.ZEROHASH, "canceled", A.CANCELED),
    (Provider.ZEROHASH, "failed", A.FAILED),
    (Provider.CROCANTE, "PENDING", A.PENDING),
    (Provider.CROCANTE, "ACTIVE", A.COMPLETED),
    (Provider.CROCANTE, "COMPLETED", A.COMPLETED),
    (Provider.CROCANTE, "REDEEMED", A.COMPLETED),
    (Provider.CROCANTE, "CLOSED", A.COMPLETED),
    (Provider.CROCANTE, "FAILED", A.FAILED),
    (Provider.CROCANTE, "CANCELED", A.CANCELED),
    (Provider.CROCANTE, "CANCELLED", A.CANCELED),
]

UNSTAKE_ROWS = [
    ("submitted", S.UNBONDING),
    ("broadcasted", S.UNBONDING),
    ("confirmed", S.UNBONDING),
    ("unstaked", S.WITHDRAWN),
    ("canceled", S.ACTIVE),
    ("failed", S.ACTIVE),
]


@pytest.mark.parametrize(("provider", "word", "expected"), STAKE_ROWS)
def test_each_stake_status_word_maps_to_its_common_status(provider, word, expected):
    assert stake_status(provider, word) is expected


@pytest.mark.parametrize(("provider", "word", "expected"), ACTION_ROWS)
def test_each_action_status_word_maps_to_its_common_status(provider, word, expected):
    assert action_status(provider, word) is expected


@pytest.mark.parametrize(("word", "expected"), UNSTAKE_ROWS)
def test_a_zerohash_stake_under_full_unstake_follows_the_unstake(word, expected):
    assert zerohash_unstaking_status(word) is expected


def test_crocante_compares_case_insensitively_but_dfns_does_not():
    assert stake_status(Provider.CROCANTE, "active") is S.ACTIVE
    with pytest.raises(UnknownProviderStatus):
        stake_status(Provider.DFNS, "active")


@pytest.mark.parametrize("provider", list(Provider))
def test_an_unknown_word_is_an_error_not_a_guess(provider):
    with pytest.raises(UnknownProviderStatus) as raised:
        stake_status(provider, "Teleported")
    assert raised.value.word == "Teleported"
    with pytest.raises(UnknownProviderStatus):
        action_status(provider, "Teleported")
