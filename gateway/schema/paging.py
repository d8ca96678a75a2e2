"""The arguments every paginated field takes (`stakes`, `rewards`, `Stake.rewards`, …)."""

from typing import Annotated

import strawberry

First = Annotated[
    int | None,
    strawberry.argument(
        description="How many items to return: default 20, at most 100."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="An opaque cursor from a previous page's `pageInfo.endCursor`; "
        "omit it to start from the newest."
    ),
]
