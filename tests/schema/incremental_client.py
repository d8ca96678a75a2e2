"""What a `deferSpec=20220824` client (Apollo Client, urql) does with the payloads."""

import copy
from typing import Any


def merged(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """The result the payloads add up to: `data` and every error, in order."""
    first, *rest = payloads
    data = copy.deepcopy(first.get("data"))
    errors = list(first.get("errors", []))
    for payload in rest:
        assert set(payload) <= {"incremental", "hasNext", "extensions"}, payload
        for entry in payload.get("incremental", []):
            errors.extend(entry.get("errors", []))
            path = entry["path"]
            if "items" in entry:
                target = _at(data, path[:-1])
                # Items join their list at the index the path names, in order.
                assert len(target) == path[-1], (len(target), path)
                target.extend(entry["items"] or [])
            elif entry["data"] is not None:
                _deep_merge(_at(data, path), entry["data"])
    assert payloads[-1]["hasNext"] is False
    assert all(p["hasNext"] for p in payloads[:-1])
    return {"data": data, "errors": errors}


def _at(data: Any, path: list[str | int]) -> Any:
    for key in path:
        data = data[key]
    return data


def _deep_merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value
