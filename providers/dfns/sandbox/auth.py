"""The sandbox's side of Dfns authentication, verified for real.

Every call needs `Authorization: Bearer <token>`. Every write needs `X-DFNS-USERACTION`:
a single-use token from `POST /auth/action`, which checks a registered credential's
signature (Ed25519, ECDSA P-256/secp256k1 with SHA-256 DER, RSA PKCS#1 v1.5 SHA-256)
over a clientData JSON (`type` "key.get", the challenge) and binds the token to the
payload, method and path given to `POST /auth/action/init`.
"""

import base64
import binascii
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from providers.dfns.sandbox.body import Body
from providers.dfns.sandbox.errors import DfnsApiError, bad_request
from providers.sandbox_kit import SimulatedClock

CHALLENGE_TTL = timedelta(minutes=5)
USER_ACTION_TTL = timedelta(minutes=5)
# Used tokens are remembered this long, so a replay is told it is one.
USED_MEMORY = timedelta(hours=1)
METHODS = frozenset({"POST", "PUT", "DELETE", "GET"})

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


@dataclass(frozen=True, slots=True)
class _Binding:
    payload: str
    method: str
    path: str


@dataclass
class _Challenge:
    challenge: str
    binding: _Binding
    expires_at: datetime


@dataclass
class _UserAction:
    binding: _Binding
    issued_at: datetime
    used: bool = False


def b64url_decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(
            text + "=" * (-len(text) % 4), altchars=b"-_", validate=True
        )
    except (binascii.Error, ValueError):
        raise DfnsApiError(401, f"{what} is not base64url") from None


def load_public_key(pem: str) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, UnsupportedAlgorithm):
        raise ValueError("not a PEM public key") from None
    if not isinstance(
        key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
    ):
        raise ValueError("Dfns Key credentials are Ed25519, ECDSA or RSA")
    return key


def _verify(key: PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


class UserActionSigning:
    def __init__(self, clock: SimulatedClock, auth_token: str) -> None:
        self._clock = clock
        self._auth_token = auth_token
        self._credentials: dict[str, PublicKey] = {}
        self._challenges: dict[str, _Challenge] = {}
        self._actions: dict[str, _UserAction] = {}

    def register_credential(self, cred_id: str, public_key_pem: str) -> None:
        self._credentials[cred_id] = load_public_key(public_key_pem)

    def check_bearer(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme != "Bearer" or not hmac.compare_digest(
            token.encode(), self._auth_token.encode()
        ):
            raise DfnsApiError(401, "Unauthorized: missing, invalid or expired token")

    def init(self, raw: object) -> dict[str, Any]:
        body = Body(
            raw,
            frozenset(
                {
                    "userActionPayload",
                    "userActionHttpMethod",
                    "userActionHttpPath",
                    "userActionServerKind",
                }
            ),
        )
        payload = body.raw.get("userActionPayload")
        if not isinstance(payload, str):
            raise bad_request("body.userActionPayload must be a string")
        method = body.literal("userActionHttpMethod", METHODS)
        path = body.text("userActionHttpPath", max_len=2_000)
        if not path.startswith("/") or "?" in path or "://" in path:
            raise bad_request(
                "body.userActionHttpPath must be a path without host or query"
            )
        if "userActionServerKind" in body.raw:
            body.literal("userActionServerKind", frozenset({"Api"}))
        now = self._clock.now()
        self._forget(now)
        identifier = secrets.token_urlsafe(32)
        challenge = (
            base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        )
        self._challenges[identifier] = _Challenge(
            challenge, _Binding(payload, method, path), now + CHALLENGE_TTL
        )
        return {
            "challenge": challenge,
            "challengeIdentifier": identifier,
            "allowCredentials": {
                "key": [
                    {"type": "public-key", "id": cred_id}
                    for cred_id in self._credentials
                ],
                "passwordProtectedKey": [],
                "webauthn": [],
            },
            "supportedCredentialKinds": [
                {"kind": "Key", "factor": "Either", "requiresSecondFactor": False},
            ],
            "userVerification": "required",
            "attestation": "direct",
        }

    def complete(self, raw: object) -> dict[str, str]:
        body = Body(
            raw, frozenset({"challengeIdentifier", "firstFactor", "secondFactor"})
        )
        pending = self._challenges.pop(
            body.text("challengeIdentifier", max_len=500), None
        )
        if pending is None or pending.expires_at < self._clock.now():
            raise DfnsApiError(401, "Challenge is unknown, used or expired")
        factor = body.obj("firstFactor", frozenset({"kind", "credentialAssertion"}))
        factor.literal("kind", frozenset({"Key"}))
        assertion = factor.obj(
            "credentialAssertion", frozenset({"credId", "clientData", "signature"})
        )
        key = self._credentials.get(assertion.text("credId"))
        if key is None:
            raise DfnsApiError(401, "Credential is not registered for this user")
        client_data = b64url_decode(
            assertion.text("clientData", max_len=10_000), "clientData"
        )
        signature = b64url_decode(
            assertion.text("signature", max_len=10_000), "signature"
        )
        if not _verify(key, signature, client_data):
            raise DfnsApiError(401, "Invalid signature")
        try:
            data = json.loads(client_data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DfnsApiError(401, "clientData is not JSON") from None
        if not isinstance(data, dict) or data.get("type") != "key.get":
            raise DfnsApiError(401, 'clientData.type must be "key.get"')
        if data.get("challenge") != pending.challenge:
            raise DfnsApiError(401, "clientData.challenge does not match the challenge")
        if (
            not isinstance(data.get("origin"), str)
            or data.get("crossOrigin", False) is not False
        ):
            raise DfnsApiError(
                401, "clientData.origin must be a string and crossOrigin false"
            )
        token = secrets.token_urlsafe(32)
        self._actions[token] = _UserAction(pending.binding, self._clock.now())
        return {"userAction": token}

    def consume(self, token: str | None, method: str, path: str, payload: str) -> None:
        """Accept a write once: its token must be fresh and bound to exactly it."""
        if not token:
            raise DfnsApiError(403, "Missing user action signature (X-DFNS-USERACTION)")
        action = self._actions.get(token)
        if action is None or action.issued_at + USER_ACTION_TTL < self._clock.now():
            raise DfnsApiError(403, "Invalid or expired user action signature")
        if action.used:
            raise DfnsApiError(400, "user action has already been used")
        if action.binding != _Binding(payload, method, path):
            raise DfnsApiError(403, "User action signature does not match this request")
        action.used = True

    def _forget(self, now: datetime) -> None:
        """Drop expired challenges and long-used tokens, so memory stays bounded."""
        for key in [k for k, c in self._challenges.items() if c.expires_at < now]:
            del self._challenges[key]
        for key in [
            k for k, a in self._actions.items() if a.issued_at + USED_MEMORY < now
        ]:
            del self._actions[key]
