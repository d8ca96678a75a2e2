"""Automatic persisted queries, the protocol Apollo Client and urql speak.

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the query.
A hash the gateway knows runs; an unknown one is answered `PersistedQueryNotFound`
(extensions.code PERSISTED_QUERY_NOT_FOUND), and the client sends hash and query
together: the query must hash to the hash, and once it has run (it parsed, validated and
started executing) its hash alone will do, on GET as on POST.

With trusted documents configured, the manifest is the only source of hashes: nothing a
client sends is ever registered, so an unknown document cannot slip in by its hash.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strawberry.http import GraphQLRequestData

from gateway.schema.query_store import QueryStore
from gateway.schema.request_error import RequestError
from gateway.security.documents import TrustedDocuments, document_hash

NOT_FOUND = "PersistedQueryNotFound"
NOT_SUPPORTED = "PersistedQueryNotSupported"
_HEX = re.compile(r"^[0-9a-f]{64}$")
# A miss must never be cached: the same URL runs once the client has sent the text.
_UNCACHED = {"Cache-Control": "private, no-cache, must-revalidate"}


@dataclass(frozen=True, slots=True)
class Registration:
    """A query to remember by its hash, once it has shown it runs."""

    digest: str
    text: str


class PersistedQueries:
    def __init__(
        self, store: QueryStore | None, *, trusted: TrustedDocuments | None = None
    ) -> None:
        self.store = store
        self.trusted = trusted

    async def resolve(self, data: GraphQLRequestData) -> Registration | None:
        """Puts the known text in place of a hash; the registration a new query earns."""
        digest = requested_hash(data.extensions)
        if digest is None:
            return None
        if data.query is None:
            text = await self._known(digest)
            if text is None:
                raise _not_found() if self._enabled else _not_supported()
            data.query = text
            return None
        if document_hash(data.query) != digest:
            raise RequestError(
                400,
                "provided sha does not match query",
                code="PERSISTED_QUERY_HASH_MISMATCH",
            )
        if self.trusted is not None or self.store is None:
            # Trusted documents: the query runs only if the manifest has it.
            return None
        return Registration(digest, data.query)

    async def register(self, registration: Registration) -> None:
        if self.store is not None and self.trusted is None:
            await self.store.put(registration.digest, registration.text)

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()

    @property
    def _enabled(self) -> bool:
        return self.store is not None or self.trusted is not None

    async def _known(self, digest: str) -> str | None:
        if self.trusted is not None:
            return self.trusted.text(digest)
        if self.store is not None:
            return await self.store.get(digest)
        return None


def requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestError(
            400,
            "Unsupported persisted query version: send version 1.",
            code="PERSISTED_QUERY_NOT_SUPPORTED",
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HEX.match(digest.lower()):
        raise RequestError(
            400,
            "persistedQuery.sha256Hash must be a sha256 hex digest.",
            code="BAD_REQUEST",
        )
    return digest.lower()


def _not_found() -> RequestError:
    # Legacy (application/json) clients get it as Apollo Server sends it, with a 200.
    return RequestError(
        400,
        NOT_FOUND,
        code="PERSISTED_QUERY_NOT_FOUND",
        legacy_status=200,
        headers=_UNCACHED,
    )


def _not_supported() -> RequestError:
    return RequestError(
        400,
        NOT_SUPPORTED,
        code="PERSISTED_QUERY_NOT_SUPPORTED",
        legacy_status=200,
        headers=_UNCACHED,
    )
