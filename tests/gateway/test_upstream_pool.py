"""The providers' HTTP/1.1 connection pool, against a scripted server on loopback."""

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.upstream_pool import UpstreamPool
from tests.gateway.scripted import Seen, answer, scripted_server  # noqa: F401


async def ok(seen: Seen) -> bytes:
    return answer(f'{{"path": "{seen.target}"}}'.encode())


async def test_sequential_requests_reuse_one_connection(serve) -> None:
    server = await serve(ok)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        answers = [(await http.get(f"/n/{i}", params={"q": "a b"})) for i in range(5)]
    assert [a.json()["path"] for a in answers] == [f"/n/{i}?q=a+b" for i in range(5)]
    assert server.connections == 1
    first = answers[0]
    assert first.status_code == 200 and first.reason_phrase == "OK"
    assert first.http_version == "HTTP/1.1"
    assert first.headers["content-length"] == str(len(first.content))


async def test_concurrent_requests_wait_for_a_connection_beyond_the_limit(
    serve,
) -> None:
    busy = 0
    most = 0

    async def slow(seen: Seen) -> bytes:
        nonlocal busy, most
        busy += 1
        most = max(most, busy)
        await asyncio.sleep(0.02)
        busy -= 1
        return answer()

    server = await serve(slow)
    pool = UpstreamPool(max_connections=3)
    async with httpx.AsyncClient(transport=pool, base_url=server.url) as http:
        answers = await asyncio.gather(*(http.get("/") for _ in range(10)))
    assert all(a.status_code == 200 for a in answers)
    assert most == 3 and server.connections == 3


async def test_no_free_connection_within_the_pool_timeout_is_a_pool_timeout(
    serve,
) -> None:
    async def stall(seen: Seen) -> bytes:
        await asyncio.sleep(1)
        return answer()

    server = await serve(stall)
    pool = UpstreamPool(max_connections=1)
    timeout = httpx.Timeout(5, pool=0.05)
    async with httpx.AsyncClient(
        transport=pool, base_url=server.url, timeout=timeout
    ) as http:
        first = asyncio.ensure_future(http.get("/"))
        await asyncio.sleep(0.01)
        with pytest.raises(httpx.PoolTimeout):
            await http.get("/")
        assert (await first).status_code == 200


async def test_bodies_are_sent_as_given_and_chunked_when_streamed(serve) -> None:
    async def echo(seen: Seen) -> bytes:
        return answer(seen.body)

    async def parts() -> AsyncIterator[bytes]:
        yield b"one,"
        yield b""
        yield b"two"

    server = await serve(echo)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        given = await http.post("/", content=b'{"a":1}')
        streamed = await http.post("/", content=parts())
        empty = await http.post("/")
    assert given.content == b'{"a":1}' and streamed.content == b"one,two"
    assert empty.content == b""
    assert server.seen[0].headers["content-length"] == "7"
    assert server.seen[1].headers["transfer-encoding"] == "chunked"


async def test_chunked_and_read_until_close_answers_are_read_whole(serve) -> None:
    async def shapes(seen: Seen) -> bytes:
        if seen.target == "/chunked":
            return (
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            )
        return b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end"

    server = await serve(shapes)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        chunked = await http.get("/chunked")
        again = await http.get("/chunked")
        until_close = await http.get("/close")
        after = await http.get("/chunked")
    assert chunked.text == again.text == after.text == "hello world"
    assert until_close.text == "until the end"
    # The answer that ended with its connection took it along; the others shared one.
    assert server.connections == 2


async def test_a_large_body_arrives_whole(serve) -> None:
    big = bytes(range(256)) * 40_000  # ~10 MB: reading pauses and resumes

    async def large(seen: Seen) -> bytes:
        return answer(big)

    server = await serve(large)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        assert (await http.get("/")).content == big
        assert (await http.get("/")).content == big
    assert server.connections == 1


async def test_a_connection_the_server_closed_while_idle_is_replaced(serve) -> None:
    server = await serve(ok)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        await http.get("/a")
        for writer in server.writers:
            writer.close()
        await asyncio.sleep(0.05)
        assert (await http.get("/b")).json() == {"path": "/b"}
    assert server.connections == 2


async def test_a_reused_connection_closed_under_a_get_is_retried_once(serve) -> None:
    async def hang_up_once(seen: Seen) -> bytes | None:
        if seen.target == "/drop" and seen.connection == 1:
            return None
        return answer(seen.target.encode())

    server = await serve(hang_up_once)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        await http.get("/warm")
        assert (await http.get("/drop")).text == "/drop"
    assert [s.connection for s in server.seen] == [1, 1, 2]


async def test_a_post_is_never_sent_twice(serve) -> None:
    async def hang_up(seen: Seen) -> bytes | None:
        return None if seen.method == "POST" else answer()

    server = await serve(hang_up)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        await http.get("/warm")
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/", content=b"once")
    assert [s.method for s in server.seen] == ["GET", "POST"]


async def test_an_answer_cut_short_is_a_protocol_error(serve) -> None:
    async def cut(seen: Seen) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\npart"
        )

    server = await serve(cut)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/")


async def test_garbage_instead_of_http_is_a_protocol_error(serve) -> None:
    async def garbage(seen: Seen) -> bytes:
        return b"SSH-2.0-OpenSSH\r\n\r\n"

    server = await serve(garbage)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/")


async def test_a_silent_server_is_a_read_timeout_and_its_connection_is_dropped(
    serve,
) -> None:
    async def silent(seen: Seen) -> bytes:
        if seen.target == "/slow":
            await asyncio.sleep(1)
        return answer()

    server = await serve(silent)
    timeout = httpx.Timeout(5, read=0.05)
    pool = UpstreamPool()
    async with httpx.AsyncClient(
        transport=pool, base_url=server.url, timeout=timeout
    ) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/slow")
        assert (await http.get("/fast")).status_code == 200
    assert server.connections == 2


async def test_a_cancelled_request_frees_its_connection(serve) -> None:
    async def stall(seen: Seen) -> bytes:
        if seen.target == "/stall":
            await asyncio.sleep(5)
        return answer()

    server = await serve(stall)
    pool = UpstreamPool(max_connections=1)
    async with httpx.AsyncClient(transport=pool, base_url=server.url) as http:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await http.get("/stall")
        assert (await http.get("/next")).status_code == 200


async def test_nobody_listening_is_a_connect_error() -> None:
    async with httpx.AsyncClient(
        transport=UpstreamPool(), base_url="http://127.0.0.1:9"
    ) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/")


async def test_a_header_with_a_line_break_is_never_sent(serve) -> None:
    server = await serve(ok)
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=server.url) as http:
        with pytest.raises(httpx.LocalProtocolError):
            await http.get("/", headers={"X-Evil": "a\r\nX-Injected: 1"})
    assert server.seen == []


async def test_an_idle_connection_past_its_expiry_is_not_reused(serve) -> None:
    server = await serve(ok)
    pool = UpstreamPool(keepalive_expiry=0.01)
    async with httpx.AsyncClient(transport=pool, base_url=server.url) as http:
        await http.get("/a")
        await asyncio.sleep(0.05)
        await http.get("/b")
    assert server.connections == 2


def _certificate(tmp: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_https_is_verified_against_the_trusted_certificates(
    serve, tmp_path
) -> None:
    server_tls, client_tls = _certificate(tmp_path)
    server = await serve(ok, tls=server_tls)
    url = f"https://127.0.0.1:{server.port}"
    async with httpx.AsyncClient(
        transport=UpstreamPool(verify=client_tls), base_url=url
    ) as http:
        assert (await http.get("/a")).json() == {"path": "/a"}
        assert (await http.get("/b")).json() == {"path": "/b"}
    assert server.connections == 1
    async with httpx.AsyncClient(transport=UpstreamPool(), base_url=url) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/")


async def test_an_answer_declared_over_the_cap_is_refused_unread(serve) -> None:
    server = await serve(lambda seen: _answer_async(answer(b"x" * 2000)))
    pool = UpstreamPool(max_bytes=1000)
    async with httpx.AsyncClient(transport=pool, base_url=server.url) as http:
        with pytest.raises(httpx.ReadError, match="over 1000 bytes"):
            await http.get("/")
    # Refused on its headers: the connection is dropped, never reused for another.
    assert server.connections == 1 and len(server.seen) == 1


async def test_an_answer_growing_past_the_cap_is_cut(serve) -> None:
    chunk = b"%x\r\n%s\r\n" % (600, b"y" * 600)

    async def chunked(seen: Seen) -> bytes:
        head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        return head + chunk * 3 + b"0\r\n\r\n"

    server = await serve(chunked)
    pool = UpstreamPool(max_bytes=1000)
    async with httpx.AsyncClient(transport=pool, base_url=server.url) as http:
        with pytest.raises(httpx.ReadError, match="over 1000 bytes"):
            await http.get("/")
    small = UpstreamPool(max_bytes=2000)
    async with httpx.AsyncClient(transport=small, base_url=server.url) as http:
        assert len((await http.get("/")).content) == 1800


async def test_an_answer_dripping_past_the_deadline_is_cut(serve) -> None:
    async def drip(seen: Seen) -> bytes:
        return b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nstarted"

    server = await serve(drip)
    pool = UpstreamPool(seconds=0.2)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(transport=pool, base_url=server.url) as http:
        began = loop.time()
        with pytest.raises(httpx.ReadTimeout, match="took too long"):
            await http.get("/")
        assert loop.time() - began < 1.0


async def test_a_silent_provider_is_cut_at_the_deadline_before_any_header(
    serve,
) -> None:
    async def silent(seen: Seen) -> bytes:
        await asyncio.sleep(5)
        return answer()

    server = await serve(silent)
    pool = UpstreamPool(seconds=0.1)
    async with httpx.AsyncClient(transport=pool, base_url=server.url) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/")


async def test_answers_within_the_cap_and_the_deadline_are_untouched(serve) -> None:
    server = await serve(ok)
    pool = UpstreamPool(max_bytes=1000, seconds=0.2)
    async with httpx.AsyncClient(transport=pool, base_url=server.url) as http:
        for i in range(3):
            assert (await http.get(f"/{i}")).json() == {"path": f"/{i}"}
        await asyncio.sleep(0.3)  # past the deadlines: settled ones never fire
        assert (await http.get("/later")).json() == {"path": "/later"}
    assert server.connections == 1


async def _answer_async(raw: bytes) -> bytes:
    return raw
