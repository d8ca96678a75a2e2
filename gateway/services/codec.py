"""JSON for the common model's dataclasses, exact both ways (Decimals as strings, UTC
times).
"""

import dataclasses
import types
import typing
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import orjson

T = TypeVar("T")


def to_data(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(to_data(k)): to_data(v) for k, v in value.items()}
    return value


def dumps(value: object) -> str:
    return orjson.dumps(to_data(value)).decode()


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return from_data(options[0], data)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(from_data(item, v) for v in data)
    if origin is dict or origin is typing.Mapping:
        key_kind, value_kind = typing.get_args(kind)
        return {
            from_data(key_kind, k): from_data(value_kind, v) for k, v in data.items()
        }
    if isinstance(kind, type):
        if dataclasses.is_dataclass(kind):
            hints = _hints(kind)
            return kind(
                **{k: from_data(hints[k], v) for k, v in data.items() if k in hints}
            )
        if issubclass(kind, Enum):
            return kind(data)
        if kind is Decimal:
            return Decimal(data)
        if kind is datetime:
            return datetime.fromisoformat(data)
    return data


def loads(kind: type[T], text: str) -> T:
    result: T = from_data(kind, orjson.loads(text))
    return result
