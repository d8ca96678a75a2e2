"""The providers' HTTP/1.1 connection pool, against a scripted server on loopback."""

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.upstream_pool import UpstreamPool


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int


Script = Callable[[Seen], Awaitable[bytes | None]]


def answer(
    body: bytes = b"{}", status: str = "200 OK", headers: tuple[str, ...] = ()
) -> bytes:
    head = [f"HTTP/1.1 {status}", f"content-length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass
class Server:
    script: Script
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        number = self.connections
        self.writers.append(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = b""
                if "content-length" in headers:
                    body = await reader.readexactly(int(headers["content-length"]))
                elif headers.get("transfer-encoding") == "chunked":
                    while True:
                        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                        chunk = await reader.readexactly(size + 2)
                        if size == 0:
                            break
                        body += chunk[:-2]
                seen = Seen(method, target, headers, body, number)
                self.seen.append(seen)
                raw = await self.script(seen)
                if raw is None:  # hang up without answering
                    return
                writer.write(raw)
                await writer.drain()
                if b"connection: close" in raw.split(b"\r\n\r\n", 1)[0].lower():
                    return
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    servers: list[asyncio.Server] = []

    async def start(script: Script, tls: ssl.SSLContext | None = None) -> Server:
        server = Server(script)
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=tls)
        server.port = listening.sockets[0].getsockname()[1]
        servers.append(listening)
        return server

    yield start
    for listening in servers:
        listening.close()


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
