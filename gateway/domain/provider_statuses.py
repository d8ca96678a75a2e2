"""How each provider's own status words map into the common lifecycle.

One table per provider and kind of object. The provider's word is always kept beside the
common status (`providerStatus`), so nothing is lost in translation. A word that is in no
table is a provider change we have not seen: `UnknownProviderStatus`, never a guess.
"""

from collections.abc import Mapping

from gateway.domain.enums import ActionStatus, Provider, StakeStatus


class UnknownProviderStatus(ValueError):
    def __init__(self, provider: Provider, word: str) -> None:
        super().__init__(f"{provider.value} reported an unknown status {word!r}")
        self.provider = provider
        self.word = word


# Dfns stake statuses (seed 000; `Creating` from the 2024 SDK).
DFNS_STAKE: Mapping[str, StakeStatus] = {
    "Creating": StakeStatus.PENDING,
    "Staking": StakeStatus.PENDING,
    "Active": StakeStatus.ACTIVE,
    "Unbonding": StakeStatus.UNBONDING,
    "Unbond": StakeStatus.WITHDRAWABLE,
    "Withdrawing": StakeStatus.WITHDRAWING,
    "Withdrawn": StakeStatus.WITHDRAWN,
    "Failed": StakeStatus.FAILED,
}

# Dfns stake-action and allocation-action statuses.
DFNS_ACTION: Mapping[str, ActionStatus] = {
    "PendingPolicyApproval": ActionStatus.PENDING_APPROVAL,
    "InProgress": ActionStatus.IN_PROGRESS,
    "Completed": ActionStatus.COMPLETED,
    "Failed": ActionStatus.FAILED,
    "Rejected": ActionStatus.REJECTED,
}

# Zerohash stake requests: a stake is earning only once `staked`; `confirmed` means it
# sits in the activation queue.
ZEROHASH_STAKE: Mapping[str, StakeStatus] = {
    "submitted": StakeStatus.PENDING,
    "broadcasted": StakeStatus.PENDING,
    "confirmed": StakeStatus.PENDING,
    "staked": StakeStatus.ACTIVE,
    "canceled": StakeStatus.CANCELED,
    "failed": StakeStatus.FAILED,
}

# A Zerohash stake under a full unstake takes its status from the unstake request.
ZEROHASH_UNSTAKE: Mapping[str, StakeStatus] = {
    "submitted": StakeStatus.UNBONDING,
    "broadcasted": StakeStatus.UNBONDING,
    "confirmed": StakeStatus.UNBONDING,
    "unstaked": StakeStatus.WITHDRAWN,
    # A canceled or failed unstake leaves the stake earning.
    "canceled": StakeStatus.ACTIVE,
    "failed": StakeStatus.ACTIVE,
}

# Zerohash stake and unstake requests seen as actions.
ZEROHASH_ACTION: Mapping[str, ActionStatus] = {
    "submitted": ActionStatus.PENDING,
    "broadcasted": ActionStatus.IN_PROGRESS,
    "confirmed": ActionStatus.IN_PROGRESS,
    "staked": ActionStatus.COMPLETED,
    "unstaked": ActionStatus.COMPLETED,
    "canceled": ActionStatus.CANCELED,
    "failed": ActionStatus.FAILED,
}

# Crocante operation statuses, upper-cased: the seed says `Active`/`Redeemed`, the
# backend's own data says `ACTIVE`, and other operations use `COMPLETED`.
CROCANTE_STAKE: Mapping[str, StakeStatus] = {
    "PENDING": StakeStatus.PENDING,
    "ACTIVE": StakeStatus.ACTIVE,
    "COMPLETED": StakeStatus.ACTIVE,
    "REDEEMED": StakeStatus.WITHDRAWN,
    "CLOSED": StakeStatus.WITHDRAWN,
    "FAILED": StakeStatus.FAILED,
    "CANCELED": StakeStatus.CANCELED,
    "CANCELLED": StakeStatus.CANCELED,
}

# Crocante has no action objects; the gateway's synthetic create/redeem actions take the
# operation's word.
CROCANTE_ACTION: Mapping[str, ActionStatus] = {
    "PENDING": ActionStatus.PENDING,
    "ACTIVE": ActionStatus.COMPLETED,
    "COMPLETED": ActionStatus.COMPLETED,
    "REDEEMED": ActionStatus.COMPLETED,
    "CLOSED": ActionStatus.COMPLETED,
    "FAILED": ActionStatus.FAILED,
    "CANCELED": ActionStatus.CANCELED,
    "CANCELLED": ActionStatus.CANCELED,
}

_STAKE_TABLES: Mapping[Provider, Mapping[str, StakeStatus]] = {
    Provider.DFNS: DFNS_STAKE,
    Provider.ZEROHASH: ZEROHASH_STAKE,
    Provider.CROCANTE: CROCANTE_STAKE,
}

_ACTION_TABLES: Mapping[Provider, Mapping[str, ActionStatus]] = {
    Provider.DFNS: DFNS_ACTION,
    Provider.ZEROHASH: ZEROHASH_ACTION,
    Provider.CROCANTE: CROCANTE_ACTION,
}


def _key(provider: Provider, word: str) -> str:
    if provider is Provider.CROCANTE:
        return word.strip().upper()
    if provider is Provider.ZEROHASH:
        return word.strip().lower()
    return word


def stake_status(provider: Provider, word: str) -> StakeStatus:
    try:
        return _STAKE_TABLES[provider][_key(provider, word)]
    except KeyError:
        raise UnknownProviderStatus(provider, word) from None


def zerohash_unstaking_status(word: str) -> StakeStatus:
    try:
        return ZEROHASH_UNSTAKE[word.strip().lower()]
    except KeyError:
        raise UnknownProviderStatus(Provider.ZEROHASH, word) from None


def action_status(provider: Provider, word: str) -> ActionStatus:
    try:
        return _ACTION_TABLES[provider][_key(provider, word)]
    except KeyError:
        raise UnknownProviderStatus(provider, word) from None
