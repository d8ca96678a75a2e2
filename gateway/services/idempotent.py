"""Run a mutation at most once per (client, externalId), whatever the retries."""

import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

import orjson

from gateway.domain.enums import UserErrorCode
from gateway.domain.errors import UserFacingError
from gateway.services.codec import dumps, loads, to_data
from gateway.store.idempotency import ClaimOutcome, IdempotencyStore
from providers.base import ProviderUnavailable

T = TypeVar("T")


def request_hash(operation: str, payload: object) -> str:
    return hashlib.sha256(
        orjson.dumps([operation, to_data(payload)], option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


async def run_once(
    store: IdempotencyStore,
    *,
    client_id: str,
    external_id: str | None,
    operation: str,
    payload: object,
    kind: type[T],
    action: Callable[[], Awaitable[T]],
) -> T:
    """`action`'s outcome, computed once per key and replayed after that.

    A provider that could not be reached leaves no record, so the caller may retry; any
    other outcome, refusals included, is what the key answers from then on.
    """
    if external_id is None:
        return await action()
    claim = await store.claim(
        client_id, external_id, operation, request_hash(operation, payload)
    )
    if claim.outcome is ClaimOutcome.CONFLICT:
        raise UserFacingError(
            UserErrorCode.IDEMPOTENCY_CONFLICT,
            "This externalId was already used for a different request.",
            ("input", "externalId"),
        )
    if claim.outcome is ClaimOutcome.BUSY:
        raise UserFacingError(
            UserErrorCode.IDEMPOTENCY_CONFLICT,
            "A request with this externalId is still in progress; retry shortly.",
            ("input", "externalId"),
        )
    if claim.outcome is ClaimOutcome.REPLAY:
        assert claim.response is not None
        return loads(kind, claim.response)
    assert claim.record_id is not None
    try:
        outcome = await action()
    except ProviderUnavailable:
        await store.release(claim.record_id)
        raise
    except BaseException:
        await store.release(claim.record_id)
        raise
    await store.complete(claim.record_id, dumps(outcome))
    return outcome
