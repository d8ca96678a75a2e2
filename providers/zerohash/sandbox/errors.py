"""Zerohash's error answer: `{error_code, message, details, user_message, request_id,
timestamp}` with the documented codes and HTTP statuses (seed 002, PROVIDERS.md 2.4)."""

from datetime import datetime
from typing import Any

from starlette.responses import JSONResponse

from providers.zerohash.sandbox.views import iso


class ZhError(Exception):
    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        *,
        user_message: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.user_message = user_message or message
        self.details = details or {}

    def response(self, request_id: str, now: datetime) -> JSONResponse:
        body = {
            "error_code": self.error_code,
            "message": self.message,
            "details": self.details,
            "user_message": self.user_message,
            "request_id": request_id,
            "timestamp": iso(now),
        }
        return JSONResponse(body, status_code=self.status)


def validation_failed(message: str, **details: Any) -> ZhError:
    return ZhError(400, "VALIDATION_FAILED", message, details=details)


def not_found(what: str) -> ZhError:
    return ZhError(404, "NOT_FOUND", f"{what} not found")


def invalid_token(message: str) -> ZhError:
    return ZhError(401, "INVALID_TOKEN", message, user_message="Please log in again")
