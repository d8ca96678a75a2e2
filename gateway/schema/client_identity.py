"""Which app is calling: the GraphQL client name and version a request declares.

`graphql-client-name` / `graphql-client-version`, or Apollo's `apollographql-client-name`
/ `apollographql-client-version` (Apollo Client sets them from `name` and `version`).
Over a WebSocket, the handshake's headers or the same keys in `connection_init`.
A value that is not a short plain token is kept as "other", never as sent.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NAME_HEADERS = ("graphql-client-name", "apollographql-client-name")
VERSION_HEADERS = ("graphql-client-version", "apollographql-client-version")
OTHER = "other"
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@/:+~ -]{0,63}$")


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    name: str | None = None
    version: str | None = None


ANONYMOUS = ClientIdentity()


def client_identity(headers: Mapping[str, Any]) -> ClientIdentity:
    """From request headers (looked up in lower case) or a connection_init payload."""
    name = _first(headers, NAME_HEADERS)
    version = _first(headers, VERSION_HEADERS)
    if name is None and version is None:
        return ANONYMOUS
    return ClientIdentity(name, version)


def _first(headers: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for header in names:
        value = headers.get(header)
        if isinstance(value, str) and value.strip():
            value = value.strip()
            return value if _PLAIN.match(value) else OTHER
    return None
