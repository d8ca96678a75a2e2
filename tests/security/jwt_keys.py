"""Token minting for tests: an HS256 secret, and RSA / EC keys published as a JWKS."""

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

SECRET = "s" * 16 + "-shared-hs256-secret-for-tests"


def hs256(claims: dict[str, Any], secret: str = SECRET, **header: Any) -> str:
    return jwt.encode(_with_exp(claims), secret, algorithm="HS256", headers=header)


def _with_exp(claims: dict[str, Any]) -> dict[str, Any]:
    return {"exp": int(time.time()) + 300, **claims}


@dataclass
class KeyPair:
    kid: str
    algorithm: str
    private: Any = field(repr=False)

    @classmethod
    def rsa(cls, kid: str = "rsa-1") -> "KeyPair":
        return cls(
            kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )

    @classmethod
    def ec(cls, kid: str = "ec-1") -> "KeyPair":
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    def jwk(self) -> dict[str, Any]:
        encoder = RSAAlgorithm if self.algorithm == "RS256" else ECAlgorithm
        key = encoder.to_jwk(self.private.public_key(), as_dict=True)
        return {**key, "kid": self.kid, "use": "sig"}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode(
            _with_exp(claims),
            self.private,
            algorithm=self.algorithm,
            headers={"kid": self.kid, **header},
        )


def jwks(*pairs: KeyPair) -> bytes:
    return json.dumps({"keys": [p.jwk() for p in pairs]}).encode()
