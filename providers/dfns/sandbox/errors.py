"""Dfns' error body: `{"error": {"id", "status", "message", "details"}, "message"}`."""

import secrets
from typing import Any

from starlette.responses import JSONResponse


class DfnsApiError(Exception):
    def __init__(
        self, status: int, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}

    def response(self) -> JSONResponse:
        error = {
            "id": f"err-{secrets.token_hex(8)}",
            "status": self.status,
            "message": self.message,
            "details": self.details,
        }
        return JSONResponse(
            {"error": error, "message": self.message}, status_code=self.status
        )


def bad_request(message: str, **details: Any) -> DfnsApiError:
    return DfnsApiError(400, message, details or None)


def not_found(what: str) -> DfnsApiError:
    return DfnsApiError(404, f"{what} not found")


def duplicate(entity_id: str, external_id: str) -> DfnsApiError:
    return DfnsApiError(
        409,
        f"externalId {external_id!r} was already used for a different request",
        {"duplicate": {"id": entity_id, "externalId": external_id}},
    )
