"""API clients: keys shown once and stored hashed, each linked to provider identities."""

import hashlib
import secrets
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain.caller import Caller, ClientClaim
from gateway.domain.enums import Provider
from gateway.store.tables import ApiClientRow, ClientIdentityRow

_clients = ApiClientRow.__table__  # type: ignore[attr-defined]
_identities = ClientIdentityRow.__table__  # type: ignore[attr-defined]

KEY_PREFIX = "sgw"


@dataclass(frozen=True, slots=True)
class ClientRecord:
    id: str
    name: str
    key_prefix: str
    created_at: datetime
    revoked_at: datetime | None
    identities: Mapping[Provider, tuple[str, ...]]


def new_api_key() -> str:
    """`sgw_<visible prefix>_<secret>`: the prefix lets a person tell keys apart."""
    return f"{KEY_PREFIX}_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


def visible_prefix(key: str) -> str:
    parts = key.split("_")
    return "_".join(parts[:2]) if len(parts) >= 3 else key[:12]


def hash_key(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


class ClientStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(
        self,
        name: str,
        identities: Mapping[Provider, Sequence[str]],
        *,
        key: str | None = None,
    ) -> tuple[ClientRecord, str]:
        key = key or new_api_key()
        client_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        async with self._engine.begin() as connection:
            await connection.execute(
                _clients.insert().values(
                    id=client_id,
                    name=name,
                    key_prefix=visible_prefix(key),
                    key_hash=hash_key(key),
                    created_at=now,
                )
            )
            rows = [
                {
                    "client_id": client_id,
                    "provider": provider.value,
                    "identity": identity,
                }
                for provider, owned in identities.items()
                for identity in dict.fromkeys(owned)
            ]
            if rows:
                await connection.execute(_identities.insert(), rows)
        record = ClientRecord(
            id=client_id,
            name=name,
            key_prefix=visible_prefix(key),
            created_at=now,
            revoked_at=None,
            identities={p: tuple(dict.fromkeys(v)) for p, v in identities.items() if v},
        )
        return record, key

    async def authenticate(self, key: str) -> Caller | None:
        # One statement, the client and its identities together: a remembered key
        # expires every few seconds, and each look-up is a hop to the database thread.
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(
                        _clients.c.id,
                        _clients.c.name,
                        _identities.c.provider,
                        _identities.c.identity,
                    )
                    .select_from(
                        _clients.outerjoin(
                            _identities, _identities.c.client_id == _clients.c.id
                        )
                    )
                    .where(
                        _clients.c.key_hash == hash_key(key),
                        _clients.c.revoked_at.is_(None),
                    )
                    .order_by(_identities.c.id)
                )
            ).all()
        if not rows:
            return None
        client = rows[0]
        grouped: dict[Provider, list[str]] = defaultdict(list)
        for row in rows:
            if row.id == client.id and row.provider is not None:
                grouped[Provider(row.provider)].append(row.identity)
        return Caller(
            client_id=client.id,
            name=client.name,
            identities={provider: tuple(ids) for provider, ids in grouped.items()},
        )

    async def caller_for_claim(self, claim: ClientClaim) -> Caller | None:
        """The active client a verified token names, or None if none or ambiguous."""
        column = _clients.c.id if claim.kind == "id" else _clients.c.key_prefix
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_clients.c.id, _clients.c.name)
                    .where(column == claim.value, _clients.c.revoked_at.is_(None))
                    .limit(2)
                )
            ).all()
            if len(rows) != 1:
                # No such active client, or a prefix two clients share: refuse to guess.
                return None
            client = rows[0]
            identities = await self._identities_of(connection, [client.id])
        return Caller(
            client_id=client.id,
            name=client.name,
            identities=identities.get(client.id, {}),
        )

    async def list(self) -> list[ClientRecord]:
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_clients).order_by(_clients.c.created_at)
                )
            ).all()
            identities = await self._identities_of(connection, [r.id for r in rows])
        return [
            ClientRecord(
                id=r.id,
                name=r.name,
                key_prefix=r.key_prefix,
                created_at=r.created_at,
                revoked_at=r.revoked_at,
                identities=identities.get(r.id, {}),
            )
            for r in rows
        ]

    async def revoke(self, id_or_prefix: str) -> int:
        """Revokes the client with that id or key prefix; returns how many were revoked."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(_clients)
                .where(
                    (_clients.c.id == id_or_prefix)
                    | (_clients.c.key_prefix == id_or_prefix),
                    _clients.c.revoked_at.is_(None),
                )
                .values(revoked_at=datetime.now(UTC))
            )
        return int(result.rowcount)

    async def linked_identities(self) -> dict[Provider, tuple[str, ...]]:
        """Every identity some active client is linked to: what the watcher follows."""
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_identities.c.provider, _identities.c.identity)
                    .join(_clients, _clients.c.id == _identities.c.client_id)
                    .where(_clients.c.revoked_at.is_(None))
                    .distinct()
                )
            ).all()
        grouped: dict[Provider, list[str]] = defaultdict(list)
        for row in rows:
            grouped[Provider(row.provider)].append(row.identity)
        return {provider: tuple(sorted(ids)) for provider, ids in grouped.items()}

    async def find_by_key(self, key: str) -> str | None:
        async with self._engine.connect() as connection:
            value = (
                await connection.execute(
                    select(_clients.c.id).where(_clients.c.key_hash == hash_key(key))
                )
            ).scalar()
        return None if value is None else str(value)

    @staticmethod
    async def _identities_of(
        connection: AsyncConnection, client_ids: Sequence[str]
    ) -> dict[str, dict[Provider, tuple[str, ...]]]:
        if not client_ids:
            return {}
        rows = (
            await connection.execute(
                select(_identities)
                .where(_identities.c.client_id.in_(client_ids))
                .order_by(_identities.c.id)
            )
        ).all()
        grouped: dict[str, dict[Provider, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for row in rows:
            grouped[row.client_id][Provider(row.provider)].append(row.identity)
        return {
            client: {provider: tuple(ids) for provider, ids in by_provider.items()}
            for client, by_provider in grouped.items()
        }
