"""Who a bearer credential names: an API key first, then a JWT naming a client.

A JWT only names a client; the client's provider identities always come from the
database, so a token cannot grant itself someone else's wallet, and revoking the client
ends its tokens too.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.caller import Caller
from gateway.domain.enums import Provider
from gateway.security.tokens import ClientClaim, JwtVerifier, looks_like_jwt
from gateway.store.store import Store
from gateway.store.tables import ApiClientRow, ClientIdentityRow

_clients = ApiClientRow.__table__  # type: ignore[attr-defined]
_identities = ClientIdentityRow.__table__  # type: ignore[attr-defined]

MAX_BEARER_CHARS = 8192

KeyLookup = Callable[[str], Awaitable[Caller | None]]
ClaimLookup = Callable[[ClientClaim], Awaitable[Caller | None]]


async def authenticate_bearer(
    token: str,
    store: Store,
    jwt_config: JwtVerifier | None,
    *,
    api_keys: KeyLookup | None = None,
    claims: ClaimLookup | None = None,
) -> Caller | None:
    """The caller a bearer credential belongs to, or None: never an error.

    `api_keys` and `claims` replace the plain database lookups (by a cache, say).
    """
    if not token or len(token) > MAX_BEARER_CHARS:
        return None
    caller = await (api_keys or store.clients.authenticate)(token)
    if caller is not None or jwt_config is None or not looks_like_jwt(token):
        return caller
    claim = await jwt_config.verify(token)
    if claim is None:
        return None
    if claims is not None:
        return await claims(claim)
    return await caller_for_claim(store.engine, claim)


async def caller_for_claim(engine: AsyncEngine, claim: ClientClaim) -> Caller | None:
    column = _clients.c.id if claim.kind == "id" else _clients.c.key_prefix
    async with engine.connect() as connection:
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
        identity_rows = (
            await connection.execute(
                select(_identities.c.provider, _identities.c.identity)
                .where(_identities.c.client_id == client.id)
                .order_by(_identities.c.id)
            )
        ).all()
    grouped: dict[Provider, list[str]] = defaultdict(list)
    for row in identity_rows:
        grouped[Provider(row.provider)].append(row.identity)
    return Caller(
        client_id=client.id,
        name=client.name,
        identities={p: tuple(ids) for p, ids in grouped.items()},
    )
