"""Who a bearer key belongs to, remembered briefly so a request costs no database read.

A revoked key stops working within `ttl` seconds on every replica; a key that matches no
client is not remembered, so a new key works at once.
"""

import time
from collections import OrderedDict

from gateway.domain.caller import Caller
from gateway.store.clients import ClientStore, hash_key


class Authenticator:
    def __init__(
        self, clients: ClientStore, *, ttl: float = 5.0, size: int = 10_000
    ) -> None:
        self._clients = clients
        self._ttl = ttl
        self._size = size
        # Keyed by the key's hash, so no key sits in memory longer than its request.
        self._known: OrderedDict[str, tuple[float, Caller]] = OrderedDict()
        self.hits = 0

    async def caller_for(self, key: str) -> Caller | None:
        digest = hash_key(key)
        now = time.monotonic()
        cached = self._known.get(digest)
        if cached is not None and cached[0] > now:
            self._known.move_to_end(digest)
            self.hits += 1
            return cached[1]
        caller = await self._clients.authenticate(key)
        if caller is None:
            self._known.pop(digest, None)
            return None
        self._known[digest] = (now + self._ttl, caller)
        if len(self._known) > self._size:
            self._known.popitem(last=False)
        return caller
