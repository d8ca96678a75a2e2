"""What a provider pushes to us (a webhook), already verified and read into common terms."""

from dataclasses import dataclass
from datetime import datetime

from gateway.domain.enums import Provider, StakeStatus
from gateway.domain.models import Reward, StakeAction


@dataclass(frozen=True, slots=True)
class ProviderNotice:
    """One verified webhook event.

    `event_id` is the provider's id for this delivery (e.g. Zerohash's notification id);
    `dedupe_key` names the *fact* it reports (a reward's distribution id, a stake id with
    its status), so the same fact delivered twice under two ids is still stored once.
    """

    provider: Provider
    event_id: str
    dedupe_key: str
    event_type: str
    owner: str
    occurred_at: datetime
    provider_stake_id: str | None = None
    # The stake's status after this event, where the event tells it.
    stake_status: StakeStatus | None = None
    provider_stake_status: str | None = None
    action: StakeAction | None = None
    reward: Reward | None = None
