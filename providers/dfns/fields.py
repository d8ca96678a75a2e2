"""Strict readers for Dfns JSON: a wrong type or a missing field is a protocol error."""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.domain.enums import Provider
from providers.base import ProviderProtocolError

_MIN_UNITS = re.compile(r"^\d{1,48}$")


def protocol_error(message: str) -> ProviderProtocolError:
    return ProviderProtocolError(Provider.DFNS, message)


class Fields:
    """One JSON object and where it was found, read field by field."""

    def __init__(self, value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise protocol_error(f"{where} is not an object")
        self.raw: Mapping[str, Any] = value
        self.where = where

    def _missing(self, key: str) -> ProviderProtocolError:
        return protocol_error(f"{self.where}.{key} is missing or of the wrong type")

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str) or not value:
            raise self._missing(key)
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._missing(key)
        return value

    def opt_int(self, key: str) -> int | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._missing(key)
        return value

    def obj(self, key: str) -> "Fields":
        return Fields(self.raw.get(key), f"{self.where}.{key}")

    def opt_obj(self, key: str) -> "Fields | None":
        value = self.raw.get(key)
        return None if value is None else Fields(value, f"{self.where}.{key}")

    def array(self, key: str) -> list[Any]:
        value = self.raw.get(key)
        if not isinstance(value, list):
            raise self._missing(key)
        return value

    def opt_array(self, key: str) -> list[Any]:
        return [] if self.raw.get(key) is None else self.array(key)

    def min_units(self, key: str) -> str:
        """A minimum-unit amount: a digit string (`^\\d+$`) of sane length."""
        value = self.raw.get(key)
        if not isinstance(value, str) or not _MIN_UNITS.match(value):
            raise protocol_error(f"{self.where}.{key} is not a minimum-unit amount")
        return value

    def opt_min_units(self, key: str) -> str | None:
        return None if self.raw.get(key) is None else self.min_units(key)

    def timestamp(self, key: str) -> datetime:
        text = self.text(key)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise protocol_error(
                f"{self.where}.{key} is not an ISO 8601 date"
            ) from None
        if value.tzinfo is None:
            raise protocol_error(f"{self.where}.{key} has no time zone (must be UTC)")
        return value.astimezone(UTC)

    def one_of(self, key: str, allowed: frozenset[str]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise protocol_error(f"{self.where}.{key} has an unknown value {value!r}")
        return value
