"""Where a client-supplied webhook URL may point: the SSRF door stays shut."""

import pytest

from gateway.domain.errors import UserFacingError
from gateway.services.webhooks.addresses import AddressPolicy, check_url

PUBLIC = AddressPolicy()
SANDBOX = AddressPolicy(allow_loopback=True)
OPERATOR = AddressPolicy(allow_private=True)

REFUSED_EVERYWHERE = [
    "http://0.0.0.0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "ftp://8.8.8.8/",
    "http://u:p@8.8.8.8/",
    "not a url",
    "http://8.8.8.8:99999/",
]
PRIVATE = [
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:10.0.0.1]/",
]
LOOPBACK = ["http://127.0.0.1:8080/hook", "http://[::1]/", "http://localhost:9/"]


@pytest.mark.parametrize("url", REFUSED_EVERYWHERE + PRIVATE + LOOPBACK)
async def test_only_public_addresses_by_default(url):
    with pytest.raises(UserFacingError):
        await check_url(url, PUBLIC)


@pytest.mark.parametrize("url", LOOPBACK)
async def test_sandbox_mode_allows_loopback(url):
    assert await check_url(url, SANDBOX) == url


@pytest.mark.parametrize("url", PRIVATE)
async def test_sandbox_mode_still_refuses_the_private_network(url):
    with pytest.raises(UserFacingError):
        await check_url(url, SANDBOX)


@pytest.mark.parametrize("url", PRIVATE + LOOPBACK)
async def test_the_operator_may_allow_private_addresses(url):
    assert await check_url(url, OPERATOR) == url


@pytest.mark.parametrize("url", REFUSED_EVERYWHERE)
async def test_never_unspecified_multicast_or_malformed(url):
    with pytest.raises(UserFacingError):
        await check_url(url, OPERATOR)


async def test_a_public_address_passes():
    assert await check_url("https://8.8.8.8/hooks", PUBLIC) == "https://8.8.8.8/hooks"
