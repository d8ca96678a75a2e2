"""A gateway configured for the real providers never loads their sandboxes.

Each check runs in a fresh interpreter, so no other test's imports can hide a load.
"""

import json
import os
import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent(
    """
    import json, re, sys

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from gateway.app import create_app
    from gateway.settings import Settings
    from gateway.wiring import build_adapters, build_sandboxes
    import providers.crocante, providers.dfns, providers.zerohash

    real = {
        "DFNS_API_URL": "https://dfns.invalid/",
        "DFNS_AUTH_TOKEN": "token",
        "DFNS_CRED_ID": "cred",
        "DFNS_PRIVATE_KEY": ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "ZEROHASH_API_URL": "https://zerohash.invalid/",
        "ZEROHASH_API_KEY": "key",
        "ZEROHASH_API_SECRET": "c2VjcmV0",
        "ZEROHASH_PASSPHRASE": "pass",
        "ZEROHASH_WEBHOOK_SECRET": "hook",
        "CROCANTE_API_URL": "https://crocante.invalid/",
        "CROCANTE_USERNAME": "user",
        "CROCANTE_PASSWORD": "password",
    }
    sandboxed = sys.argv[1] == "sandboxed"
    settings = Settings(**({} if sandboxed else real))
    sandboxes = build_sandboxes(settings)
    build_adapters(settings, sandboxes)
    create_app(settings, sandboxes=sandboxes)
    loaded = sorted(
        name for name in sys.modules
        if re.fullmatch(r"providers\\.[a-z_]+\\.sandbox(\\..*)?", name)
    )
    print(json.dumps({"sandboxes": len(sandboxes), "loaded": loaded}))
    """
)


def _run(mode: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_URL")}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_real_providers_load_no_sandbox_module() -> None:
    result = _run("real")
    assert result == {"sandboxes": 0, "loaded": []}


def test_sandbox_mode_loads_the_three_sandboxes() -> None:
    # The check above can fail: without API URLs the same program loads them all.
    result = _run("sandboxed")
    assert result["sandboxes"] == 3
    loaded = result["loaded"]
    assert isinstance(loaded, list)
    for name in ("crocante", "dfns", "zerohash"):
        assert f"providers.{name}.sandbox" in loaded
