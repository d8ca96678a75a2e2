"""Global ids: opaque, stable, and carrying what is needed to fetch the object again.

An id names the type, the provider, the owning identity and the provider's own id. It is
not a secret: resolving it still checks that the caller owns that identity, so another
client's id resolves to null.
"""

import base64
import binascii
from dataclasses import dataclass

import orjson

from gateway.domain.enums import Provider
from gateway.domain.errors import invalid_input


@dataclass(frozen=True, slots=True)
class NodeId:
    type_name: str
    provider: Provider
    owner: str
    key: str
    parent: str | None = None

    def encode(self) -> str:
        parts: list[str] = [self.type_name, self.provider.value, self.owner, self.key]
        if self.parent is not None:
            parts.append(self.parent)
        return base64.urlsafe_b64encode(orjson.dumps(parts)).decode().rstrip("=")


def decode_id(value: str, *field: str, expect: str | None = None) -> NodeId:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        parts = orjson.loads(raw)
        if not isinstance(parts, list) or not 4 <= len(parts) <= 5:
            raise ValueError("wrong shape")
        if not all(isinstance(p, str) for p in parts):
            raise ValueError("wrong shape")
        node = NodeId(parts[0], Provider(parts[1]), parts[2], parts[3], *parts[4:])
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        raise invalid_input(
            "This id is not one the gateway gave out.", *field
        ) from None
    if expect is not None and node.type_name != expect:
        raise invalid_input(f"This id does not name a {expect}.", *field)
    return node


def input_id(value: str, field: str, *, expect: str) -> NodeId:
    """An id given as `input.<field>`: what every mutation and previewStake decode with.

    A bad one is the same INVALID_INPUT refusal everywhere; a mutation's payload reports
    it as a userError.
    """
    return decode_id(value, "input", field, expect=expect)
