"""A GraphQL-over-HTTP request refused before execution, as the view answers it."""

from typing import Any

from cross_web import HTTPException


class RequestError(HTTPException):
    """A request refused before execution, answered as a GraphQL response (`errors`
    only), with its status under each media type and any headers it needs."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        legacy_status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.legacy_status = status_code if legacy_status is None else legacy_status
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.reason}
        if self.code is not None:
            error["extensions"] = {"code": self.code}
        return {"errors": [error]}
