"""Crocante's error bodies, in the three shapes its backend uses, as provider errors.

Shapes: `{"error": "Insufficient balance", "status": 400}` (the seed),
`{"error": {"msg": ..., "code": ...}}` and `{"message": ..., "code": ...}`
(the backend).
"""

import json
from dataclasses import dataclass

import httpx

from gateway.domain.enums import Provider, UserErrorCode
from providers.base import (
    ProviderAuthError,
    ProviderError,
    ProviderProtocolError,
    ProviderRejected,
    unavailable_for_status,
)

P = Provider.CROCANTE

# A fresh login cures these; any other 401 means our credentials are refused.
RELOGIN_CODES = frozenset({"TOKEN_EXPIRED", "SESSION_INVALID"})


@dataclass(frozen=True, slots=True)
class CrocanteErrorBody:
    message: str | None
    code: str | None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def read_error_body(response: httpx.Response) -> CrocanteErrorBody | None:
    """The error message and code; None when the body is in none of the known shapes."""
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):  # deeply nested JSON too
        return None
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        message = _text(error.get("msg")) or _text(error.get("message"))
        code = _text(error.get("code")) or _text(body.get("code"))
    else:
        message = _text(error) or _text(body.get("message"))
        code = _text(body.get("code"))
    if message is None and code is None:
        return None
    return CrocanteErrorBody(message=message, code=code)


def error_code(response: httpx.Response) -> str | None:
    body = read_error_body(response)
    return body.code if body else None


# (substring of the lower-cased message or the code, contract code, message we show)
_BUSINESS_RULES: tuple[tuple[str, UserErrorCode, str], ...] = (
    (
        "insufficient balance",
        UserErrorCode.INSUFFICIENT_BALANCE,
        "Insufficient balance",
    ),
    ("balance_not_enough", UserErrorCode.INSUFFICIENT_BALANCE, "Insufficient balance"),
    ("below minimum", UserErrorCode.BELOW_MINIMUM_STAKE, "Amount below minimum"),
    ("not redeemable", UserErrorCode.NOT_REDEEMABLE_YET, "Not redeemable yet"),
    ("invalid typeid", UserErrorCode.NOT_FOUND, "Staking product not found"),
    ("invalid opid", UserErrorCode.NOT_FOUND, "Stake not found"),
    ("entity_not_found", UserErrorCode.NOT_FOUND, "Not found"),
)


def error_for_response(response: httpx.Response) -> ProviderError:
    """The provider error a non-2xx response stands for."""
    status = response.status_code
    if status == 429 or status >= 500:
        return unavailable_for_status(P, response)
    body = read_error_body(response)
    code = body.code if body else None
    if status == 401 or (status == 403 and code == "CREDENTIALS_INVALID"):
        return ProviderAuthError(P, f"credentials refused ({code or status})")
    if body is None:
        # A 404 without a Crocante body is a wrong path, not a missing entity.
        return ProviderProtocolError(P, f"HTTP {status} without a readable error body")
    haystack = f"{(body.message or '').lower()} {(code or '').lower()}"
    for needle, user_code, message in _BUSINESS_RULES:
        if needle in haystack:
            return ProviderRejected(P, user_code, message, provider_code=code)
    if status == 404:
        return ProviderRejected(
            P, UserErrorCode.NOT_FOUND, "Not found", provider_code=code
        )
    return ProviderRejected(
        P,
        UserErrorCode.PROVIDER_REJECTED,
        body.message or f"Crocante refused the request ({code})",
        provider_code=code,
    )
