"""RSA webhook signatures (PROVIDERS.md 2.4): Zero Hash's preferred method.

What is documented: `x-zh-hook-rsa-signature-256` is RSA over the SHA-256 of the payload
[V]; the replay-protected `x-zh-hook-rsa-signature` signs, like its HMAC twin, the raw
body followed by the `x-zh-hook-timestamp` string [I]. What is not: the padding and the
signature's text encoding. This module assumes PKCS#1 v1.5 with SHA-256 and base64
(README, known limits).
"""

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PublicKey = rsa.RSAPublicKey


def load_public_key(pem: str) -> PublicKey:
    """The RSA public key in `pem` (ZEROHASH_WEBHOOK_PUBLIC_KEY); ValueError otherwise."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the webhook public key is not an RSA key")
    return key


def rsa_verifies(key: PublicKey, signature: str, message: bytes) -> bool:
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    """The signature Zero Hash would send (for the sandbox and tests)."""
    raw = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )
