"""The Node interface: every object with a global id that `node(id:)` fetches."""

import strawberry


@strawberry.interface(
    description="An object with a global id; `node(id:)` fetches it again."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description=(
            "Global, opaque id; pass it to `node(id:)` to fetch this object again."
        )
    )
