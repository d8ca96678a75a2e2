"""Helpers shared by the staking and allocation halves of the adapter: ids, picking the
action a write created, and recognising an idempotent replay after a 409."""

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

from gateway.domain.enums import Provider, UserErrorCode
from providers.base import ProviderRejected
from providers.dfns.fields import protocol_error

STAKE_ID = re.compile(r"^stk-[a-z0-9-]{1,60}$")
ALLOCATION_ID = re.compile(r"^allctn-[a-z0-9-]{1,57}$")


class _Action(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def external_id(self) -> str | None: ...

    @property
    def request_body(self) -> Mapping[str, Any]: ...

    @property
    def id(self) -> str: ...


A = TypeVar("A", bound=_Action)


def not_found(what: str) -> ProviderRejected:
    return ProviderRejected(Provider.DFNS, UserErrorCode.NOT_FOUND, f"{what} not found")


def is_conflict(exc: ProviderRejected) -> bool:
    return exc.user_error_code is UserErrorCode.IDEMPOTENCY_CONFLICT


def same_request(sent: Mapping[str, Any], echoed: Mapping[str, Any]) -> bool:
    """Whether the provider's echo of a request body is the body we just sent."""
    return all(echoed.get(key) == value for key, value in sent.items())


def pick_action(actions: Sequence[A] | None, kind: str, external_id: str | None) -> A:
    """The action a write created: the one carrying our externalId, else the newest of
    its kind (responses list actions oldest first)."""
    candidates = [a for a in actions or () if a.kind == kind]
    if external_id is not None:
        candidates = [a for a in candidates if a.external_id == external_id]
    if not candidates:
        raise protocol_error(f"the response carries no {kind} action")
    return candidates[-1]


def replayed_action(
    actions: Sequence[A] | None, conflict: ProviderRejected, body: Mapping[str, Any]
) -> A:
    """After a 409: the existing action if it is our request replayed; else re-raise."""
    external_id = body.get("externalId")
    for action in actions or ():
        ours = action.id == conflict.existing_id or (
            external_id is not None and action.external_id == external_id
        )
        if ours and same_request(body, action.request_body):
            return action
    raise conflict
