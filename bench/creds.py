"""Credentials the bench hands both to its sandbox host and to the gateway it starts."""

import base64
import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519


@dataclass(frozen=True)
class BenchCredentials:
    crocante_password: str
    zerohash_api_key: str
    zerohash_api_secret: str
    zerohash_passphrase: str
    zerohash_webhook_secret: str
    dfns_auth_token: str
    dfns_cred_id: str
    dfns_private_pem: str
    dfns_public_pem: str

    @classmethod
    def generate(cls) -> "BenchCredentials":
        key = ed25519.Ed25519PrivateKey.generate()
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            .decode()
        )
        return cls(
            crocante_password=secrets.token_urlsafe(18),
            zerohash_api_key=f"zh-bench-{secrets.token_hex(8)}",
            zerohash_api_secret=base64.b64encode(secrets.token_bytes(32)).decode(),
            zerohash_passphrase=secrets.token_urlsafe(12),
            zerohash_webhook_secret=secrets.token_urlsafe(24),
            dfns_auth_token=f"dfns-bench-{secrets.token_urlsafe(32)}",
            dfns_cred_id=f"cr-bench-{secrets.token_hex(6)}",
            dfns_private_pem=private,
            dfns_public_pem=public,
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))
        path.chmod(0o600)

    @classmethod
    def load(cls, path: Path) -> "BenchCredentials":
        return cls(**json.loads(path.read_text()))
