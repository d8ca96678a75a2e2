"""A refusal the caller can act on, as mutations and previews return it."""

import strawberry

from gateway.domain.errors import UserError as DomainUserError
from gateway.schema.enums import UserErrorCode


@strawberry.type(description="Why a request was refused.")
class UserError:
    code: UserErrorCode = strawberry.field(
        description="Machine-readable reason; branch on this, not on the message."
    )
    message: str = strawberry.field(description="For people: safe to show in a UI.")
    field: list[str] | None = strawberry.field(
        description="Path of the input field at fault, if any."
    )

    @classmethod
    def of(cls, error: DomainUserError) -> "UserError":
        return cls(
            code=error.code,
            message=error.message,
            field=list(error.field) if error.field else None,
        )
