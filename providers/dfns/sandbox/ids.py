"""Dfns-shaped ids (`<prefix>-xxxxx-xxxxx-xxxxxxxxxxxxxxxx`) and opaque tokens."""

import base64
import hashlib
import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def _chunk(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix: str) -> str:
    return f"{prefix}-{_chunk(5)}-{_chunk(5)}-{_chunk(16)}"


def hex_from(seed: str, length: int) -> str:
    """Deterministic hex (a tx hash, a validator key) derived from an entity id."""
    out = ""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).hexdigest()
        counter += 1
    return out[:length]


def encode_token(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).rstrip(b"=").decode()


def decode_token(token: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
