"""The labels an operation is counted, logged and traced under: its type, its name and
the calling client's name and version, each with bounded cardinality.

Names configured as known always label as themselves; past them, each dimension admits
a capped number of distinct values (the first seen) and folds the rest into "other", so a
client sending a new operation name per request cannot grow /metrics without end.
Absent values label as "" (Prometheus reads an empty label as no label).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from strawberry.types import ExecutionContext

from gateway.schema.client_identity import ANONYMOUS, OTHER, ClientIdentity


@dataclass(frozen=True, slots=True)
class OperationLabels:
    type: str
    operation: str
    client: str
    client_version: str


class LabelBudget:
    """Values admitted as themselves: the known ones, then the first `cap` others."""

    def __init__(self, cap: int, known: Iterable[str] = ()) -> None:
        self.cap = cap
        self._known = frozenset(known)
        self._admitted: set[str] = set()

    def admit(self, value: str) -> str:
        if not value or value in self._known or value in self._admitted:
            return value
        if value == OTHER or len(self._admitted) >= self.cap:
            return OTHER
        self._admitted.add(value)
        return value


class OperationLabeller:
    def __init__(
        self,
        *,
        known_clients: Iterable[str] = (),
        max_clients: int = 20,
        max_client_versions: int = 50,
        max_operations: int = 100,
    ) -> None:
        self._clients = LabelBudget(max_clients, known_clients)
        self._versions = LabelBudget(max_client_versions)
        self._operations = LabelBudget(max_operations)

    def labels(self, context: ExecutionContext) -> OperationLabels:
        client = client_of(context)
        name = self._clients.admit(client.name or "")
        version = client.version or ""
        if version:
            # A version counts within its client: "web 1.2" and "ios 1.2" are two.
            admitted = self._versions.admit(f"{name} {version}")
            version = OTHER if admitted == OTHER else version
        return OperationLabels(
            type=operation_type(context),
            operation=self._operations.admit(operation_name(context)),
            client=name,
            client_version=version,
        )


def client_of(context: ExecutionContext) -> ClientIdentity:
    client: Any = getattr(context.context, "client", None)
    return client if isinstance(client, ClientIdentity) else ANONYMOUS


def operation_type(context: ExecutionContext) -> str:
    try:
        return context.operation_type.value
    except Exception:  # a document that never parsed, or names no operation
        return ""


def operation_name(context: ExecutionContext) -> str:
    try:
        return context.operation_name or ""
    except Exception:
        return ""
