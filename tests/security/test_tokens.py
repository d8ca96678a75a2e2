"""JWT bearer tokens: a valid token names a client; anything else names nobody."""

import base64
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr

from gateway.domain.enums import Provider
from gateway.security import JwtConfig, JwtVerifier
from gateway.security.jwks import JwksSource
from gateway.security.tokens import JwtConfigError
from gateway.services.authentication import Authenticator
from tests.security.jwt_keys import SECRET, KeyPair, hs256, jwks


async def authenticate_bearer(token, store, verifier):
    """A fresh authenticator: nothing cached, so every call reads the store."""
    return await Authenticator(store.clients).authenticate(token, verifier)


def hs_verifier(**config) -> JwtVerifier:
    return JwtVerifier(JwtConfig(secret=SecretStr(SECRET), **config))


def jwks_verifier(tmp_path, *pairs: KeyPair, **config) -> JwtVerifier:
    path = tmp_path / "jwks.json"
    path.write_bytes(jwks(*pairs))
    return JwtVerifier(JwtConfig(jwks=str(path), **config))


@pytest.fixture
async def client(store):
    record, key = await store.clients.create(
        "mobile", {Provider.CROCANTE: ["alice"], Provider.DFNS: ["wa-1"]}
    )
    return record, key


async def test_an_hs256_token_whose_sub_is_a_client_id_authenticates_as_that_client(
    store, client
):
    record, _ = client
    caller = await authenticate_bearer(hs256({"sub": record.id}), store, hs_verifier())
    assert caller is not None and caller.client_id == record.id
    assert caller.owners(Provider.CROCANTE) == ("alice",)


async def test_a_token_may_name_its_client_by_key_prefix_instead(store, client):
    record, _ = client
    token = hs256({"sub": "idp-user-42", "key_prefix": record.key_prefix})
    caller = await authenticate_bearer(token, store, hs_verifier())
    assert caller is not None and caller.client_id == record.id


async def test_identities_always_come_from_the_database_never_from_the_token(
    store, client
):
    record, _ = client
    token = hs256({"sub": record.id, "identities": {"CROCANTE": ["mallory"]}})
    caller = await authenticate_bearer(token, store, hs_verifier())
    assert caller is not None and caller.owners(Provider.CROCANTE) == ("alice",)


async def test_api_keys_still_authenticate_when_jwts_are_configured(store, client):
    record, key = client
    caller = await authenticate_bearer(key, store, hs_verifier())
    assert caller is not None and caller.client_id == record.id


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 3600},
        {"nbf": int(time.time()) + 3600},
        {"exp": None},
        {"iat": "yesterday"},
    ],
    ids=["expired", "not-yet-valid", "no-exp", "garbage-iat"],
)
async def test_tokens_outside_their_validity_are_refused(store, client, claims):
    record, _ = client
    payload = {"sub": record.id, **claims}
    if payload.get("exp") is None and "exp" in claims:
        payload.pop("exp")
        token = jwt.encode(payload, SECRET, algorithm="HS256")
    else:
        token = hs256(payload)
    assert await authenticate_bearer(token, store, hs_verifier()) is None


async def test_issuer_and_audience_are_checked_when_configured(store, client):
    record, _ = client
    verifier = hs_verifier(issuer="https://idp.example", audience="staking-gateway")
    good = {"sub": record.id, "iss": "https://idp.example", "aud": "staking-gateway"}
    assert await authenticate_bearer(hs256(good), store, verifier) is not None
    for wrong in (
        {**good, "iss": "https://evil.example"},
        {**good, "aud": "another-api"},
        {k: v for k, v in good.items() if k != "iss"},
        {k: v for k, v in good.items() if k != "aud"},
    ):
        assert await authenticate_bearer(hs256(wrong), store, verifier) is None


async def test_a_token_signed_with_another_secret_or_none_alg_is_refused(store, client):
    record, _ = client
    forged = hs256({"sub": record.id}, secret="x" * 40)
    assert await authenticate_bearer(forged, store, hs_verifier()) is None
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(
        json.dumps({"sub": record.id, "exp": int(time.time()) + 60}).encode()
    ).rstrip(b"=")
    unsigned = f"{header.decode()}.{body.decode()}."
    assert await authenticate_bearer(unsigned, store, hs_verifier()) is None


async def test_a_revoked_client_loses_its_tokens_too(store, client):
    record, _ = client
    token = hs256({"sub": record.id})
    await store.clients.revoke(record.id)
    assert await authenticate_bearer(token, store, hs_verifier()) is None


async def test_a_key_prefix_two_clients_share_names_nobody(store):
    await store.clients.create("a", {}, key="sgw_shared_aaaaaaaa")
    await store.clients.create("b", {}, key="sgw_shared_bbbbbbbb")
    token = hs256({"key_prefix": "sgw_shared"})
    assert await authenticate_bearer(token, store, hs_verifier()) is None


async def test_without_jwt_configuration_a_valid_token_is_just_an_unknown_key(
    store, client
):
    record, _ = client
    assert await authenticate_bearer(hs256({"sub": record.id}), store, None) is None


@pytest.mark.parametrize(
    "token",
    ["", "a.b.c", "x" * 9000, "....", "eyJhbGciOiJIUzI1NiJ9.e30.", "é.è.à", "a.b"],
)
async def test_garbage_never_raises(store, token):
    assert await authenticate_bearer(token, store, hs_verifier()) is None


def test_a_jwks_over_plain_http_is_refused_at_startup_unless_local():
    with pytest.raises(JwtConfigError, match="https"):
        JwtConfig(jwks="http://idp.example/jwks.json")
    assert JwtConfig(jwks="http://127.0.0.1:9000/jwks.json").enabled


def test_a_short_hs256_secret_is_refused_at_startup():
    with pytest.raises(JwtConfigError, match="at least 32 bytes"):
        JwtConfig(secret=SecretStr("too-short"))


@pytest.mark.parametrize("pair", [KeyPair.rsa(), KeyPair.ec()], ids=["RS256", "ES256"])
async def test_rs256_and_es256_tokens_verify_against_a_jwks_file(
    store, client, tmp_path, pair
):
    record, _ = client
    verifier = jwks_verifier(tmp_path, pair)
    caller = await authenticate_bearer(pair.sign({"sub": record.id}), store, verifier)
    assert caller is not None and caller.client_id == record.id
    stranger = KeyPair.rsa(kid=pair.kid) if pair.algorithm == "ES256" else KeyPair.ec()
    forged = stranger.sign({"sub": record.id})
    assert await authenticate_bearer(forged, store, verifier) is None


async def test_an_hs256_token_keyed_with_the_public_key_is_refused(
    store, client, tmp_path
):
    """The algorithm-confusion attack: the public key is public, so it is no secret."""
    record, _ = client
    pair = KeyPair.rsa()
    verifier = jwks_verifier(tmp_path, pair)
    public_pem = pair.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": pair.kid}
    signing_input = (
        base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=")
        + b"."
        + base64.urlsafe_b64encode(
            json.dumps({"sub": record.id, "exp": int(time.time()) + 60}).encode()
        ).rstrip(b"=")
    )
    import hmac
    from hashlib import sha256

    signature = base64.urlsafe_b64encode(
        hmac.new(public_pem, signing_input, sha256).digest()
    ).rstrip(b"=")
    token = (signing_input + b"." + signature).decode()
    assert await authenticate_bearer(token, store, verifier) is None


async def test_a_jwks_url_is_fetched_cached_and_refetched_for_a_new_kid(store, client):
    record, _ = client
    old, new = KeyPair.rsa("old"), KeyPair.ec("new")
    published = {"keys": jwks(old)}
    fetches = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetches.append(request.url.path)
        return httpx.Response(200, content=published["keys"])

    now = [1000.0]
    source = JwksSource(
        "https://idp.example/.well-known/jwks.json",
        transport=httpx.MockTransport(handler),
        clock=lambda: now[0],
        refetch_floor=30,
    )
    verifier = JwtVerifier(JwtConfig(jwks=source.location), jwks=source)
    try:
        for _ in range(3):
            assert await authenticate_bearer(
                old.sign({"sub": record.id}), store, verifier
            )
        assert len(fetches) == 1
        published["keys"] = jwks(old, new)  # the issuer rotates in a new key
        now[0] += 31
        assert await authenticate_bearer(new.sign({"sub": record.id}), store, verifier)
        assert len(fetches) == 2
        # Made-up kids do not make the gateway hammer the issuer.
        for index in range(5):
            await authenticate_bearer(
                new.sign({"sub": record.id}, kid=f"made-up-{index}"), store, verifier
            )
        assert len(fetches) == 2
    finally:
        await verifier.close()


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(500),
        httpx.Response(200, content=b"<html>"),
        httpx.Response(200, json={"keys": "nope"}),
        httpx.Response(
            200, json={"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "k"}]}
        ),
        httpx.Response(302, headers={"location": "https://evil.example/jwks"}),
        httpx.Response(200, content=b"{" * 300_000),
    ],
    ids=["5xx", "html", "bad-keys", "symmetric-key", "redirect", "huge"],
)
async def test_an_unusable_jwks_refuses_tokens_without_raising(store, client, reply):
    record, _ = client
    pair = KeyPair.rsa("k")
    source = JwksSource(
        "https://idp.example/jwks", transport=httpx.MockTransport(lambda _: reply)
    )
    verifier = JwtVerifier(JwtConfig(jwks=source.location), jwks=source)
    try:
        assert (
            await authenticate_bearer(pair.sign({"sub": record.id}), store, verifier)
            is None
        )
    finally:
        await verifier.close()
