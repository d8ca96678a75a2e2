"""The executable schema, and its SDL as `export-schema` prints it."""

from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import (
    MaskErrors,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from gateway.domain.errors import FellBehind, UserFacingError
from gateway.schema.cancellation import CancelMutation
from gateway.schema.context import NotAuthenticated
from gateway.schema.fast_execution import choose_execution
from gateway.schema.ledger import LedgerQuery
from gateway.schema.mutation import Mutation
from gateway.schema.query import Query
from gateway.schema.scalars import SCALAR_MAP
from gateway.schema.subscription import Subscription
from gateway.schema.trace_extension import ProviderTraceExtension
from gateway.schema.webhooks import WebhookMutation, WebhookQuery

# Expected errors whose message is written for the caller (FellBehind: a subscriber
# learns the cursor to resume from); every other error is masked.
SAFE_ERRORS = (UserFacingError, NotAuthenticated, FellBehind)


# Each back-office noun keeps its fields in its own module; the roots merge them.
@strawberry.type(
    name="Query",
    description="Reads: the caller's stakes, rewards, allocations and portfolio, "
    "products, and provider health.",
)
class RootQuery(Query, LedgerQuery, WebhookQuery):
    pass


@strawberry.type(
    name="Mutation",
    description="Changes: stake, unstake, act on stakes and allocations, accept terms. "
    "Refusals come back in `userErrors`, not as GraphQL errors.",
)
class RootMutation(Mutation, CancelMutation, WebhookMutation):
    pass


def should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or error.path is None:
        # Syntax, validation and variable errors speak of the query, not of us.
        return False
    return not isinstance(original, SAFE_ERRORS)


def build_schema(
    extensions: Sequence[Callable[[], SchemaExtension]] = (),
    *,
    fast_execution: bool = True,
    incremental: bool = True,
) -> Schema:
    schema = Schema(
        query=RootQuery,
        mutation=RootMutation,
        subscription=Subscription,
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP,
            # @defer and @stream, experimental (gateway.schema.incremental).
            enable_experimental_incremental_execution=incremental,
        ),
        extensions=[
            # Parsing and validating the same document again is pure waste.
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            ProviderTraceExtension,
            lambda: MaskErrors(
                should_mask_error=should_mask, error_message="Internal error."
            ),
            # Limits and production hardening: after the validation cache, which would
            # overwrite errors they set earlier.
            *extensions,
        ],
    )
    schema.execution_context_class = choose_execution(schema, fast=fast_execution)
    return schema


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
