"""The schema extensions that bound what one operation may ask for.

They cooperate with Strawberry's ParserCache and ValidationCache:
- static rules (depth, aliases, introspection) are classes built once, so the
  validation cache keeps hitting;
- refusals (query too large, untrusted document, rate limit) and the cost rules, which
  depend on the variables, are applied in `on_validate` *after* the cache has run, which
  is why `SecurityChecks` must come after ValidationCache in the schema's extensions;
- a refused document is swapped for a tiny placeholder before parsing, so its text is
  never parsed, validated or kept in the parser cache.
"""

import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import orjson
from graphql import (
    ASTValidationRule,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    validate,
)
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.types.graphql import OperationType

from gateway.security.connections import current_connection
from gateway.security.cost import CostPolicy, cost_rules
from gateway.security.documents import TrustedDocuments
from gateway.security.guard import Guard
from gateway.security.rate_limit import RateLimiter
from gateway.security.settings import SecuritySettings
from gateway.security.timeout import OperationTimeout

ExtensionFactory = Callable[[], SchemaExtension]

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
_SUGGESTION = re.compile(r"\s*Did you mean .*\?$", re.DOTALL)


class SecurityChecks(SchemaExtension):
    def __init__(
        self,
        *,
        policy: CostPolicy,
        limiter: RateLimiter,
        documents: TrustedDocuments | None,
        max_query_bytes: int,
        verdicts: "CostVerdicts | None" = None,
    ) -> None:
        self.policy = policy
        self.verdicts = verdicts or CostVerdicts()
        self.limiter = limiter
        self.documents = documents
        self.max_query_bytes = max_query_bytes
        self._refusal: GraphQLError | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None:
            if len(query) > self.max_query_bytes or (
                len(query.encode()) > self.max_query_bytes
            ):
                self._refuse(
                    f"The query text is over the limit of {self.max_query_bytes} bytes.",
                    "QUERY_TOO_LARGE",
                )
            elif self.documents is not None and not self.documents.trusts(query):
                self._refuse(
                    "Only trusted documents run on this gateway: send a registered "
                    "operation, or its `documentId`.",
                    "UNTRUSTED_DOCUMENT",
                )
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        if self._refusal is None:
            await self._charge_websocket_operation()
        if self._refusal is not None:
            context.pre_execution_errors = [self._refusal]
        elif context.pre_execution_errors is None:
            # No validation cache ran: the cost rules join the standard validation.
            context.validation_rules = context.validation_rules + cost_rules(
                self.policy, context.variables
            )
        elif not context.pre_execution_errors and context.graphql_document is not None:
            # Validated from the cache; the cost depends on the variables, so it is
            # checked here, outside it (never by mutating the cached error list).
            errors = self.verdicts.cost_errors(
                context.query or "",
                context.variables,
                lambda: validate(
                    context.schema._schema,
                    context.graphql_document,  # type: ignore[arg-type]
                    cost_rules(self.policy, context.variables),
                ),
            )
            if errors:
                context.pre_execution_errors = list(errors)
        yield

    def _refuse(self, message: str, code: str) -> None:
        self._refusal = GraphQLError(message, extensions={"code": code})
        self.execution_context.query = _placeholder(
            self.execution_context.allowed_operations,
            self.execution_context.operation_name,
        )

    async def _charge_websocket_operation(self) -> None:
        # HTTP requests are charged once, in the view, where a refusal can be a 429.
        slot = current_connection()
        if slot is None or slot.client_id is None:
            return
        self._refusal = await charge_operation(self.limiter, slot.client_id)


class CostVerdicts:
    """The cost rules' errors per document and variables, remembered.

    The same page asked again and again (a dashboard's poll) is walked once, not once a
    request; the verdict depends only on the text, the variables and the fixed policy.
    """

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._known: OrderedDict[tuple[str, bytes], tuple[GraphQLError, ...]] = (
            OrderedDict()
        )

    def cost_errors(
        self,
        query: str,
        variables: dict[str, Any] | None,
        judge: Callable[[], list[GraphQLError]],
    ) -> tuple[GraphQLError, ...]:
        try:
            key = (query, orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS))
        except TypeError:
            return tuple(judge())
        known = self._known.get(key)
        if known is None:
            known = tuple(judge())
            self._known[key] = known
            if len(self._known) > self._size:
                self._known.popitem(last=False)
        else:
            self._known.move_to_end(key)
        return known


async def charge_operation(limiter: RateLimiter, client_id: str) -> GraphQLError | None:
    """One operation against the client's rate limit; the error when it is refused."""
    decision = await limiter.acquire(client_id)
    if decision.allowed:
        return None
    return GraphQLError(
        f"Rate limit exceeded: retry in {decision.retry_after:.1f} s.",
        extensions={
            "code": "RATE_LIMITED",
            "retryAfter": round(decision.retry_after, 3),
        },
    )


def _placeholder(allowed: Iterable[OperationType], name: str | None) -> str:
    """A document of an allowed type that parses, and is never run."""
    kinds = set(allowed)
    order = (OperationType.QUERY, OperationType.SUBSCRIPTION, OperationType.MUTATION)
    kind = next((k.value for k in order if k in kinds), "query")
    label = f" {name}" if name and _NAME.match(name) else ""
    return f"{kind}{label} {{ __typename }}"


class HideSuggestions(MaskErrors):
    """In production, "Did you mean …?" would spell out the schema introspection hides."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._suggests)

    @staticmethod
    def _suggests(error: GraphQLError) -> bool:
        return "Did you mean" in error.message

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            message=_SUGGESTION.sub("", error.message),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=error.original_error,
            extensions=error.extensions,
        )


def security_extensions(
    settings: SecuritySettings, guard: Guard, *, production: bool
) -> list[ExtensionFactory]:
    """Factories, so that every operation gets fresh extension instances. Append them
    after the schema's own (after ValidationCache, before nothing in particular)."""
    policy = CostPolicy(
        max_cost=settings.max_cost,
        max_page_size=settings.max_page_size,
        default_list_size=settings.default_list_size,
    )
    # Built once: the validation cache is keyed by the rule classes.
    static_rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.max_depth, None),
        alias_rule(settings.max_aliases),
    ]
    if production:
        static_rules.append(NoSchemaIntrospectionCustomRule)
    verdicts = CostVerdicts()
    factories: list[ExtensionFactory] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(static_rules),
        lambda: SecurityChecks(
            policy=policy,
            limiter=guard.limiter,
            documents=guard.documents,
            max_query_bytes=settings.max_query_bytes,
            verdicts=verdicts,
        ),
        lambda: OperationTimeout(settings.operation_timeout_seconds),
    ]
    if production:
        factories.append(HideSuggestions)
    return factories
