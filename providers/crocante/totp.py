"""RFC 6238 time-based one-time codes (30 s steps, 6 digits, HMAC-SHA-1), stdlib."""

import base64
import hashlib
import hmac
import struct

STEP_SECONDS = 30
DIGITS = 6


def decode_secret(secret: str) -> bytes:
    """An authenticator-app secret: base32, any case, spaces and padding optional."""
    cleaned = secret.replace(" ", "").upper().rstrip("=")
    if not cleaned:
        raise ValueError("the TOTP secret is empty")
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        return base64.b32decode(padded)
    except ValueError as exc:
        raise ValueError("the TOTP secret is not base32") from exc


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def totp(key: bytes, unix_time: float, digits: int = DIGITS) -> str:
    return hotp(key, int(unix_time // STEP_SECONDS), digits)
