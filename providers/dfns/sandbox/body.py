"""Strict reading of request bodies, answering as Dfns does: 400 with a message."""

import json
import re
from typing import Any

from providers.dfns.sandbox.errors import bad_request

AMOUNT = re.compile(r"^\d+$")
WALLET_ID = re.compile(r"^wa-[a-z0-9-]{1,61}$")
MAX_AMOUNT_DIGITS = 60
MAX_EXTERNAL_ID = 100


def parse_json(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_request("Request body is not valid JSON") from None


class Body:
    """A JSON object whose keys must all be among `allowed`."""

    def __init__(
        self, raw: object, allowed: frozenset[str], where: str = "body"
    ) -> None:
        if not isinstance(raw, dict):
            raise bad_request(f"{where} must be a JSON object")
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise bad_request(
                f"{where}: unrecognized key(s) {', '.join(map(repr, unknown))}"
            )
        self.raw: dict[str, Any] = raw
        self.where = where

    def _field(self, key: str) -> str:
        return f"{self.where}.{key}"

    def text(
        self, key: str, pattern: re.Pattern[str] | None = None, max_len: int = 200
    ) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str) or not value or len(value) > max_len:
            raise bad_request(
                f"{self._field(key)} is required and must be a non-empty string"
            )
        if pattern is not None and not pattern.match(value):
            raise bad_request(f"{self._field(key)} must match {pattern.pattern}")
        return value

    def opt_text(self, key: str, pattern: re.Pattern[str] | None = None) -> str | None:
        return None if key not in self.raw else self.text(key, pattern)

    def external_id(self) -> str | None:
        if "externalId" not in self.raw:
            return None
        return self.text("externalId", max_len=MAX_EXTERNAL_ID)

    def literal(self, key: str, options: frozenset[str]) -> str:
        value = self.raw.get(key)
        if value not in options:
            choices = ", ".join(sorted(options))
            raise bad_request(f"{self._field(key)} must be one of: {choices}")
        assert isinstance(value, str)
        return value

    def amount(self, key: str = "amount") -> int:
        """A minimum-unit amount: a string of digits (pattern ^\\d+$), above zero."""
        value = self.raw.get(key)
        if not isinstance(value, str) or not AMOUNT.match(value):
            raise bad_request(f"{self._field(key)} must be a string matching ^\\d+$")
        if len(value) > MAX_AMOUNT_DIGITS:
            raise bad_request(f"{self._field(key)} is too large")
        units = int(value)
        if units == 0:
            raise bad_request(f"{self._field(key)} must be greater than 0")
        return units

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.raw.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not low <= value <= high
        ):
            raise bad_request(
                f"{self._field(key)} must be an integer from {low} to {high}"
            )
        return value

    def obj(self, key: str, allowed: frozenset[str]) -> "Body":
        return Body(self.raw.get(key), allowed, self._field(key))

    def string_list(self, key: str, pattern: re.Pattern[str]) -> list[str]:
        value = self.raw.get(key)
        if not isinstance(value, list) or not all(
            isinstance(v, str) and pattern.match(v) for v in value
        ):
            raise bad_request(
                f"{self._field(key)} must be a list of strings "
                f"matching {pattern.pattern}"
            )
        return value
