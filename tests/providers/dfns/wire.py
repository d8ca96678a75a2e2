"""A minimal Dfns client written straight from the docs (PROVIDERS.md 1.2), independent
of the adapter's `DfnsAuth`, so sandbox tests do not share the adapter's assumptions."""

import base64
import json
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_with(key: Any, data: bytes) -> Any:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def public_pem(key: Any) -> Any:
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )


class RawDfns:
    def __init__(
        self, http: httpx.AsyncClient, token: str, cred_id: str, key: Any
    ) -> None:
        self.http = http
        self.token = token
        self.cred_id = cred_id
        self.key = key

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params, headers=self.bearer)

    async def challenge(self, method: str, path: str, payload: str) -> httpx.Response:
        return await self.http.post(
            "/auth/action/init",
            json={
                "userActionPayload": payload,
                "userActionHttpMethod": method,
                "userActionHttpPath": path,
                "userActionServerKind": "Api",
            },
            headers=self.bearer,
        )

    def assertion(
        self,
        challenge: dict[str, Any],
        *,
        key: Any = None,
        cred_id: str | None = None,
        client_data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        data = client_data or {
            "type": "key.get",
            "challenge": challenge["challenge"],
            "origin": "https://app.dfns.io",
            "crossOrigin": False,
        }
        raw = json.dumps(data, separators=(",", ":")).encode()
        return {
            "challengeIdentifier": challenge["challengeIdentifier"],
            "firstFactor": {
                "kind": "Key",
                "credentialAssertion": {
                    "credId": cred_id or self.cred_id,
                    "clientData": b64url(raw),
                    "signature": b64url(sign_with(key or self.key, raw)),
                },
            },
        }

    async def complete(self, assertion: dict[str, Any]) -> httpx.Response:
        return await self.http.post("/auth/action", json=assertion, headers=self.bearer)

    async def user_action(self, method: str, path: str, payload: str) -> str:
        init = await self.challenge(method, path, payload)
        assert init.status_code == 200, init.text
        done = await self.complete(self.assertion(init.json()))
        assert done.status_code == 200, done.text
        return str(done.json()["userAction"])

    async def post(self, path: str, body: Any) -> httpx.Response:
        payload = json.dumps(body)
        action = await self.user_action("POST", path, payload)
        return await self.send_signed("POST", path, payload, action)

    async def send_signed(
        self, method: str, path: str, payload: str, action: str
    ) -> httpx.Response:
        return await self.http.request(
            method,
            path,
            content=payload.encode(),
            headers={
                **self.bearer,
                "X-DFNS-USERACTION": action,
                "Content-Type": "application/json",
            },
        )
