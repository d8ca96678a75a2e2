"""Where a client-supplied URL may point: a public address, never our own network.

A webhook URL is an SSRF door: without this check a client could make the gateway call
its cloud metadata service or a database on the private network. The address is checked
when the endpoint is registered and again before each request (a name may re-resolve).
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from gateway.domain.errors import invalid_input

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2048


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    # GATEWAY_WEBHOOK_ALLOW_PRIVATE: any address, for an operator's own network.
    allow_private: bool = False
    # Sandbox mode and tests: a receiver on this machine.
    allow_loopback: bool = False

    def permits(self, address: IpAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if self.allow_private:
            return not address.is_unspecified and not address.is_multicast
        if address.is_loopback:
            return self.allow_loopback
        # is_global is False for private, link-local, shared (CGNAT), reserved and
        # documentation ranges alike.
        return address.is_global and not address.is_multicast


def parse_url(url: str, *field: str) -> tuple[str, int]:
    """The host and port of an acceptable http(s) URL; a UserFacingError otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise invalid_input("The URL is too long.", *field)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise invalid_input("This is not a URL.", *field) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid_input("The URL must be http:// or https:// with a host.", *field)
    if parts.username or parts.password:
        raise invalid_input("The URL must not carry credentials.", *field)
    default = 443 if parts.scheme == "https" else 80
    return parts.hostname, port or default


async def resolve(host: str, port: int) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


async def check_url(url: str, policy: AddressPolicy, *field: str) -> str:
    """`url`, stripped, if every address its host resolves to is permitted."""
    host, port = parse_url(url, *field)
    try:
        addresses = await resolve(host, port)
    except OSError:
        raise invalid_input("The URL's host does not resolve.", *field) from None
    if not addresses or not all(policy.permits(a) for a in addresses):
        raise invalid_input(
            "The URL points to a private, loopback or link-local address; webhooks go "
            "only to public addresses.",
            *field,
        )
    return url.strip()
