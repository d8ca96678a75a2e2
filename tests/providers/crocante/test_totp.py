"""The adapter's TOTP follows RFC 6238 (SHA-1 test vectors, last six digits)."""

import pytest

from providers.crocante.totp import decode_secret, hotp, totp

# RFC 6238 appendix B: the ASCII secret "12345678901234567890".
RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("unix_time", "eight_digits"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc_6238_sha1_vectors(unix_time, eight_digits):
    assert totp(RFC_KEY, unix_time, digits=8) == eight_digits
    assert totp(RFC_KEY, unix_time) == eight_digits[-6:]


def test_rfc_4226_hotp_vectors():
    assert [hotp(RFC_KEY, n) for n in range(3)] == ["755224", "287082", "359152"]


def test_codes_change_every_thirty_seconds():
    assert totp(RFC_KEY, 30) == totp(RFC_KEY, 59)
    assert totp(RFC_KEY, 59) != totp(RFC_KEY, 60)


def test_base32_secrets_are_read_in_any_case_with_or_without_padding():
    expected = b"Hello!\xde\xad\xbe\xef"
    assert decode_secret("JBSWY3DPEHPK3PXP") == expected
    assert decode_secret("jbsw y3dp ehpk 3pxp") == expected


@pytest.mark.parametrize("secret", ["", "not base32!", "1111"])
def test_a_secret_that_is_not_base32_is_refused(secret):
    with pytest.raises(ValueError):
        decode_secret(secret)
