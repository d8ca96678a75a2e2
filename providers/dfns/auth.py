"""Dfns request authentication as an `httpx.Auth`: a Bearer token on every call, and
User Action Signing on every write (PROVIDERS.md 1.2).

A write becomes three requests: `POST /auth/action/init` binds a challenge to the exact
body string, method and path; the credential key signs a clientData JSON holding the
challenge; `POST /auth/action` trades that assertion for a single-use token sent as
`X-DFNS-USERACTION`. The payload signed is the request's own body bytes, so what is
signed is what is sent.
"""

import base64
import json
from collections.abc import Generator
from typing import Any

import httpx
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from gateway.domain.enums import Provider
from providers.base import ProviderAuthError, ProviderProtocolError
from providers.dfns.config import DfnsConfig
from providers.dfns.fields import Fields

USER_ACTION_HEADER = "X-DFNS-USERACTION"
_UNSIGNED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SigningKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def compact_json(value: object) -> bytes:
    """The one serialization used for every body we send (and so sign)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_json_or_protocol_error(response: httpx.Response) -> object:
    try:
        return response.json()
    except (ValueError, RecursionError):  # deeply nested JSON too
        raise ProviderProtocolError(Provider.DFNS, "response is not JSON") from None


def load_signing_key(pem: str) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(pem.encode("utf-8"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ProviderAuthError(
            Provider.DFNS,
            "the credential private key is not a readable unencrypted PEM key",
        ) from None
    if not isinstance(
        key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    ):
        raise ProviderAuthError(
            Provider.DFNS, "the credential key must be Ed25519, ECDSA or RSA"
        )
    return key


def sign(key: SigningKey, data: bytes) -> bytes:
    """Dfns' Key-credential signature: EdDSA, ECDSA-SHA256 (DER), or RSA PKCS#1 v1.5."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


class DfnsAuth(httpx.Auth):
    """`root_path` is the path prefix of the API root (e.g. `/sandbox/dfns`): the signed
    path is relative to it, as Dfns sees it."""

    requires_request_body = True
    requires_response_body = True

    def __init__(self, config: DfnsConfig, *, root_path: str = "") -> None:
        self._bearer = f"Bearer {config.auth_token.get_secret_value()}"
        self._cred_id = config.cred_id
        self._origin = config.origin
        self._key = load_signing_key(config.private_key_pem.get_secret_value())
        self._root_path = root_path.rstrip("/")

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._bearer
        if request.method in _UNSIGNED_METHODS:
            yield request
            return
        init = yield self._post(request, "/auth/action/init", self._init_body(request))
        if init.status_code != 200:
            return  # the caller reads the refusal from this response
        assertion = self._assert(parse_json_or_protocol_error(init))
        completed = yield self._post(request, "/auth/action", assertion)
        if completed.status_code != 200:
            return
        token = Fields(
            parse_json_or_protocol_error(completed), "userActionResponse"
        ).text("userAction")
        request.headers[USER_ACTION_HEADER] = token
        yield request

    def signed_path(self, request: httpx.Request) -> str:
        path = request.url.path
        if self._root_path and path.startswith(self._root_path + "/"):
            return path[len(self._root_path) :]
        return path

    def _init_body(self, request: httpx.Request) -> dict[str, str]:
        return {
            "userActionPayload": request.content.decode("utf-8"),
            "userActionHttpMethod": request.method,
            "userActionHttpPath": self.signed_path(request),
            "userActionServerKind": "Api",
        }

    def _assert(self, challenge_json: object) -> dict[str, Any]:
        init = Fields(challenge_json, "userActionChallenge")
        allowed = init.obj("allowCredentials").opt_array("key")
        allowed_ids = {c.get("id") for c in allowed if isinstance(c, dict)}
        if self._cred_id not in allowed_ids:
            raise ProviderAuthError(
                Provider.DFNS, f"credential {self._cred_id} may not sign for this token"
            )
        client_data = compact_json(
            {
                "type": "key.get",
                "challenge": init.text("challenge"),
                "origin": self._origin,
                "crossOrigin": False,
            }
        )
        return {
            "challengeIdentifier": init.text("challengeIdentifier"),
            "firstFactor": {
                "kind": "Key",
                "credentialAssertion": {
                    "credId": self._cred_id,
                    "clientData": b64url(client_data),
                    "signature": b64url(sign(self._key, client_data)),
                },
            },
        }

    def _post(self, original: httpx.Request, path: str, body: object) -> httpx.Request:
        url = original.url.copy_with(raw_path=(self._root_path + path).encode("ascii"))
        return httpx.Request(
            "POST",
            url,
            content=compact_json(body),
            headers={"Authorization": self._bearer, "Content-Type": "application/json"},
        )
