"""Trusted documents: when configured, only pre-registered operations run.

The registry is a JSON file: either a list of operation texts, or an object mapping
each operation's sha256 hex digest to its text (a client's persisted-query manifest).
A request names a document by `documentId` ("sha256:<hex>" or the bare hex), by
`extensions.persistedQuery.sha256Hash` (Apollo's protocol, which
gateway.schema.persisted_queries resolves against this registry alone), or sends the
full text of a registered document; anything else is refused before it is parsed.
"""

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from strawberry.http import GraphQLRequestData

_HEX = re.compile(r"^[0-9a-f]{64}$")


class TrustedDocumentsError(ValueError):
    pass


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class TrustedDocuments:
    def __init__(self, documents: Mapping[str, str]) -> None:
        self._by_hash: dict[str, str] = {}
        for digest, text in documents.items():
            if document_hash(text) != digest:
                raise TrustedDocumentsError(
                    f"document {digest[:12]}… does not hash to its key"
                )
            self._by_hash[digest] = text

    @classmethod
    def from_texts(cls, texts: list[str]) -> "TrustedDocuments":
        return cls({document_hash(text): text for text in texts})

    @classmethod
    def load(cls, path: Path) -> "TrustedDocuments":
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise TrustedDocumentsError(f"cannot read {path}: {error}") from error
        if isinstance(data, list) and all(isinstance(t, str) for t in data):
            return cls.from_texts(data)
        if isinstance(data, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            return cls({k.removeprefix("sha256:"): v for k, v in data.items()})
        raise TrustedDocumentsError(
            f"{path} must hold a list of operations or an object of hash to operation"
        )

    def __len__(self) -> int:
        return len(self._by_hash)

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_hash)

    def text(self, digest: str) -> str | None:
        return self._by_hash.get(digest)

    def trusts(self, text: str) -> bool:
        return document_hash(text) in self._by_hash

    async def resolve(
        self, request: AsyncHTTPRequestAdapter, data: GraphQLRequestData
    ) -> GraphQLRequestData:
        """Puts the registered text in place of a document id (HTTP only)."""
        digest = await _document_id(request)
        if digest is None:
            return data
        text = self.text(digest)
        if text is None:
            raise HTTPException(
                400, "PersistedQueryNotFound: no trusted document has this hash."
            )
        if data.query is not None and data.query != text:
            raise HTTPException(400, "The query does not match its document hash.")
        data.query = text
        return data


async def _document_id(request: AsyncHTTPRequestAdapter) -> str | None:
    raw: object
    if request.method == "GET":
        raw = request.query_params.get("documentId")
    else:
        try:
            body = json.loads(await request.get_body())
        except ValueError:
            return None
        raw = body.get("documentId") if isinstance(body, dict) else None
    if raw is None:
        return None
    digest = raw.removeprefix("sha256:").lower() if isinstance(raw, str) else ""
    if not _HEX.match(digest):
        raise HTTPException(400, 'documentId must be "sha256:<hex digest>".')
    return digest
