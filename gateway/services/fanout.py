"""Ask several providers at once; keep what answered, name what failed."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from gateway.domain.enums import Provider
from gateway.domain.models import ProviderFailure
from gateway.services.provider_set import failure_of
from providers.base import ProviderError

T = TypeVar("T")

log = logging.getLogger("gateway.fanout")


@dataclass
class Gathered(Generic[T]):
    items: list[T] = field(default_factory=list)
    failures: list[ProviderFailure] = field(default_factory=list)


async def gather_from(
    providers: Iterable[Provider],
    fetch: Callable[[Provider], Awaitable[Sequence[T]]],
) -> Gathered[T]:
    chosen = list(providers)
    results = await asyncio.gather(*(fetch(p) for p in chosen), return_exceptions=True)
    gathered: Gathered[T] = Gathered()
    for provider, result in zip(chosen, results, strict=True):
        if isinstance(result, ProviderError):
            gathered.failures.append(failure_of(result))
        elif isinstance(result, Exception):
            # A bug in one adapter costs that provider's part, not the whole answer.
            log.error("unexpected error from %s", provider.value, exc_info=result)
            gathered.failures.append(
                ProviderFailure(
                    provider, "INTERNAL", "Unexpected error.", retryable=False
                )
            )
        elif isinstance(result, BaseException):
            raise result
        else:
            gathered.items.extend(result)
    return gathered
