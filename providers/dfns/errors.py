"""Dfns error responses as provider errors (PROVIDERS.md 1.5).

Body: `{"error": {"id", "status", "message", "details"}}`; some deployments (and the
Python SDK) read a top-level `message`, so both are read.
"""

import httpx

from gateway.domain.enums import Provider, UserErrorCode
from providers.base import (
    ProviderAuthError,
    ProviderError,
    ProviderProtocolError,
    ProviderRejected,
    unavailable_for_status,
)

# 400 messages that name a refusal the caller can act on, most specific first.
_MESSAGE_CODES: tuple[tuple[str, UserErrorCode], ...] = (
    ("insufficient", UserErrorCode.INSUFFICIENT_BALANCE),
    ("minimum", UserErrorCode.BELOW_MINIMUM_STAKE),
    ("not withdrawable yet", UserErrorCode.NOT_REDEEMABLE_YET),
    ("not allowed", UserErrorCode.UNSUPPORTED_ACTION),
)


def _error_object(body: object) -> dict[str, object]:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error: dict[str, object] = body["error"]
        return error
    return {}


def _message(body: object, response: httpx.Response) -> str:
    error = _error_object(body)
    for candidate in (
        error.get("message"),
        body.get("message") if isinstance(body, dict) else None,
    ):
        if isinstance(candidate, str) and candidate:
            return candidate[:500]
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def _duplicate_id(body: object) -> str | None:
    details = _error_object(body).get("details")
    duplicate = details.get("duplicate") if isinstance(details, dict) else None
    found = duplicate.get("id") if isinstance(duplicate, dict) else None
    return found if isinstance(found, str) and found else None


def error_for_response(response: httpx.Response) -> ProviderError:
    """The provider error a non-2xx Dfns response stands for."""
    status = response.status_code
    if status == 429 or status >= 500:
        return unavailable_for_status(Provider.DFNS, response)
    try:
        body: object = response.json()
    except (ValueError, RecursionError):  # deeply nested JSON too
        body = None
    message = _message(body, response)
    if status in (401, 403):
        # Our token, credential or user-action signature was refused: not retryable.
        return ProviderAuthError(Provider.DFNS, message)
    if status == 404:
        return ProviderRejected(Provider.DFNS, UserErrorCode.NOT_FOUND, message)
    if status == 409:
        return ProviderRejected(
            Provider.DFNS,
            UserErrorCode.IDEMPOTENCY_CONFLICT,
            message,
            field=("externalId",),
            existing_id=_duplicate_id(body),
        )
    if status == 400:
        lowered = message.lower()
        if "user action has already been used" in lowered:
            return ProviderAuthError(Provider.DFNS, message)
        code = next(
            (c for needle, c in _MESSAGE_CODES if needle in lowered),
            UserErrorCode.INVALID_INPUT,
        )
        return ProviderRejected(Provider.DFNS, code, message)
    if status == 402:
        return ProviderRejected(Provider.DFNS, UserErrorCode.PROVIDER_REJECTED, message)
    return ProviderProtocolError(Provider.DFNS, f"unexpected HTTP {status}: {message}")
