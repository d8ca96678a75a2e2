"""Who is asking: an API client and the provider identities linked to it."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from gateway.domain.enums import Provider


@dataclass(frozen=True, slots=True)
class Caller:
    client_id: str
    name: str
    identities: Mapping[Provider, tuple[str, ...]] = field(default_factory=dict)

    def owners(self, provider: Provider) -> tuple[str, ...]:
        return self.identities.get(provider, ())

    def owns(self, provider: Provider, owner: str) -> bool:
        return owner in self.identities.get(provider, ())

    @property
    def providers(self) -> tuple[Provider, ...]:
        return tuple(p for p in Provider if self.identities.get(p))


@dataclass(frozen=True, slots=True)
class ClientClaim:
    """How a verified token names its client: by client id (`sub`) or by key prefix."""

    kind: Literal["id", "key_prefix"]
    value: str
