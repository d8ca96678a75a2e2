"""Errors a caller can act on: each carries a contract `UserErrorCode` and a safe message."""

from dataclasses import dataclass

from gateway.domain.enums import UserErrorCode


@dataclass(frozen=True, slots=True)
class UserError:
    code: UserErrorCode
    message: str
    field: tuple[str, ...] | None = None


class UserFacingError(Exception):
    """Raised below the schema for an expected refusal; the schema returns it as a userError."""

    def __init__(
        self,
        code: UserErrorCode,
        message: str,
        field: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(message)
        self.error = UserError(code=code, message=message, field=field)


class FellBehind(Exception):
    """A subscriber read too slowly and events were dropped; it may resume from `last`."""

    def __init__(self, dropped: int, last: int) -> None:
        super().__init__(
            f"This subscriber fell behind and {dropped} events were dropped. "
            f'Resume with after: "{last}".'
        )
        self.dropped = dropped
        self.last = last


def invalid_input(message: str, *field: str) -> UserFacingError:
    return UserFacingError(UserErrorCode.INVALID_INPUT, message, field or None)


def not_found(message: str, *field: str) -> UserFacingError:
    return UserFacingError(UserErrorCode.NOT_FOUND, message, field or None)
