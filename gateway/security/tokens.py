"""JWT bearer tokens: which client a verified token names.

HS256 is checked against the shared secret only, RS256/ES256 against the JWKS only, so
no token can choose its own key (the classic HS256-with-a-public-key confusion). `exp`
is always required; `iss` and `aud` are checked when configured.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
from pydantic import SecretStr

from gateway.domain.caller import ClientClaim
from gateway.security.jwks import ASYMMETRIC_ALGORITHMS, JwksSource

# Longer than any sane token: refuse before parsing anything.
MAX_TOKEN_CHARS = 8192
MIN_SECRET_BYTES = 32


class JwtConfigError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class JwtConfig:
    secret: SecretStr | None = None
    jwks: str | None = None  # a file path, or an http(s) URL
    issuer: str | None = None
    audience: str | None = None
    prefix_claim: str = "key_prefix"
    leeway_seconds: float = 30.0
    jwks_cache_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.jwks and self.jwks.startswith("http://"):
            host = urlsplit(self.jwks).hostname or ""
            if host not in ("localhost", "127.0.0.1", "::1"):
                raise JwtConfigError(
                    "GATEWAY_JWKS must be an https URL (or a file): keys fetched over "
                    "plain http could be swapped in transit."
                )
        if self.secret is not None:
            length = len(self.secret.get_secret_value().encode())
            if length < MIN_SECRET_BYTES:
                raise JwtConfigError(
                    f"GATEWAY_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes "
                    f"(it has {length}): a short HS256 secret can be brute-forced."
                )

    @property
    def enabled(self) -> bool:
        return self.secret is not None or bool(self.jwks)


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and len(token) <= MAX_TOKEN_CHARS


class JwtVerifier:
    def __init__(self, config: JwtConfig, *, jwks: JwksSource | None = None) -> None:
        self.config = config
        self._jwks = jwks
        if jwks is None and config.jwks:
            self._jwks = JwksSource(
                config.jwks, cache_seconds=config.jwks_cache_seconds
            )

    async def open(self) -> None:
        if self._jwks is not None:
            await self._jwks.open()

    async def close(self) -> None:
        if self._jwks is not None:
            await self._jwks.close()

    async def verify(self, token: str) -> ClientClaim | None:
        """The client a valid token names; None for anything else, never an error."""
        if not looks_like_jwt(token):
            return None
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        algorithm = header.get("alg")
        key = await self._key_for(algorithm, header.get("kid"))
        if key is None or not isinstance(algorithm, str):
            return None
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=self.config.leeway_seconds,
                options={"require": self._required_claims()},
            )
        except jwt.PyJWTError:
            return None
        return self._client_claim(claims)

    async def _key_for(self, algorithm: object, kid: object) -> Any:
        if algorithm == "HS256" and self.config.secret is not None:
            return self.config.secret.get_secret_value()
        if algorithm in ASYMMETRIC_ALGORITHMS and self._jwks is not None:
            found = await self._jwks.key(
                kid if isinstance(kid, str) else None, str(algorithm)
            )
            return None if found is None else found.key
        return None

    def _required_claims(self) -> list[str]:
        required = ["exp"]
        if self.config.issuer is not None:
            required.append("iss")
        if self.config.audience is not None:
            required.append("aud")
        return required

    def _client_claim(self, claims: dict[str, Any]) -> ClientClaim | None:
        # An explicit key-prefix claim wins: an identity provider's `sub` is often
        # its own user id, not ours.
        prefix = claims.get(self.config.prefix_claim)
        if isinstance(prefix, str) and prefix:
            return ClientClaim("key_prefix", prefix)
        subject = claims.get("sub")
        if isinstance(subject, str) and subject:
            return ClientClaim("id", subject)
        return None
