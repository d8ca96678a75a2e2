"""What a gateway needs to talk to a separate `staking-gateway sandbox` process.

Each sandbox makes up its credentials when the process starts, so the process writes them
as an env file (`KEY='value'` lines: a POSIX shell can `. file`, and Docker Compose reads
it as an `env_file`) for the gateways that point at it. Beside the provider variables the
file names the demo identities, which `staking-gateway clients create` links to a client.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.domain.enums import Provider
from gateway.wiring import SANDBOX_PATHS

if TYPE_CHECKING:
    from providers.crocante.sandbox import CrocanteSandbox
    from providers.dfns.sandbox import DfnsSandbox
    from providers.sandbox_kit.protocol import ProviderSandbox
    from providers.zerohash.sandbox import ZerohashSandbox

ENV_FILE_VARIABLE = "SANDBOX_ENV_FILE"
PUBLIC_URL_VARIABLE = "SANDBOX_PUBLIC_URL"

# `staking-gateway clients create --name demo $SANDBOX_DEMO_CLIENT_ARGS` in a shell.
DEMO_CLIENT_ARGS = "SANDBOX_DEMO_CLIENT_ARGS"

# Where the demo identities go in the file: ignored by the gateway's settings.
DEMO_VARIABLES: Mapping[Provider, str] = {
    Provider.DFNS: "SANDBOX_DEMO_DFNS_WALLETS",
    Provider.ZEROHASH: "SANDBOX_DEMO_ZEROHASH_PARTICIPANTS",
    Provider.CROCANTE: "SANDBOX_DEMO_CROCANTE_USERS",
}


def _dfns(sandbox: DfnsSandbox, url: str) -> dict[str, str]:
    config = sandbox.gateway_config(url)
    return {
        "DFNS_API_URL": config.api_url,
        "DFNS_AUTH_TOKEN": config.auth_token.get_secret_value(),
        "DFNS_CRED_ID": config.cred_id,
        "DFNS_PRIVATE_KEY": config.private_key_pem.get_secret_value(),
    }


def _zerohash(sandbox: ZerohashSandbox, url: str) -> dict[str, str]:
    config = sandbox.gateway_config(url)
    env = {
        "ZEROHASH_API_URL": config.base_url or url,
        "ZEROHASH_API_KEY": config.api_key,
        "ZEROHASH_API_SECRET": config.api_secret.get_secret_value(),
        "ZEROHASH_PASSPHRASE": config.passphrase.get_secret_value(),
    }
    if config.webhook_secret is not None:
        env["ZEROHASH_WEBHOOK_SECRET"] = config.webhook_secret.get_secret_value()
    if config.webhook_public_key is not None:
        env["ZEROHASH_WEBHOOK_PUBLIC_KEY"] = config.webhook_public_key
    return env


def _crocante(sandbox: CrocanteSandbox, url: str) -> dict[str, str]:
    config = sandbox.gateway_config(url)
    if config.password is None:
        raise ValueError("the Crocante sandbox gave no password")
    # Configured from the environment, the gateway serves one Crocante user: the demo one
    # (the sandbox accepts the same password for every user).
    env = {
        "CROCANTE_API_URL": config.base_url,
        "CROCANTE_USERNAME": config.username or sandbox.demo_owners[0],
        "CROCANTE_PASSWORD": config.password.get_secret_value(),
    }
    if config.totp_secret is not None:
        env["CROCANTE_TOTP_SECRET"] = config.totp_secret.get_secret_value()
    return env


def gateway_env(
    sandboxes: Mapping[Provider, ProviderSandbox], base_url: str
) -> dict[str, str]:
    """The provider variables (`DFNS_*`, `ZEROHASH_*`, `CROCANTE_*`) that point a gateway
    at these sandboxes served under `base_url` (`/dfns/`, `/zerohash/`, `/crocante/`),
    the demo identities (`SANDBOX_DEMO_*`, comma-separated), and the `clients create`
    options linking them (`SANDBOX_DEMO_CLIENT_ARGS`)."""
    # Only a process that hosts sandboxes gets here: it loads their classes, no other does.
    from providers.crocante.sandbox import CrocanteSandbox
    from providers.dfns.sandbox import DfnsSandbox
    from providers.zerohash.sandbox import ZerohashSandbox

    env: dict[str, str] = {}
    for provider, sandbox in sandboxes.items():
        url = f"{base_url.rstrip('/')}/{SANDBOX_PATHS[provider]}/"
        if isinstance(sandbox, DfnsSandbox):
            env |= _dfns(sandbox, url)
        elif isinstance(sandbox, ZerohashSandbox):
            env |= _zerohash(sandbox, url)
        elif isinstance(sandbox, CrocanteSandbox):
            env |= _crocante(sandbox, url)
        else:
            raise TypeError(f"no gateway variables known for {type(sandbox).__name__}")
        env[DEMO_VARIABLES[provider]] = ",".join(sandbox.demo_owners)
    env[DEMO_CLIENT_ARGS] = " ".join(demo_client_arguments(env))
    return env


def demo_client_arguments(env: Mapping[str, str]) -> list[str]:
    """`staking-gateway clients create` options linking the demo identities of `env`."""
    arguments: list[str] = []
    for wallet in _owners(env, Provider.DFNS):
        arguments += ["--dfns-wallet", wallet]
    if participants := _owners(env, Provider.ZEROHASH):
        arguments += ["--zerohash-participant", participants[0]]
    # The one user a gateway configured from the environment serves.
    if user := env.get("CROCANTE_USERNAME"):
        arguments += ["--crocante-user", user]
    return arguments


def _owners(env: Mapping[str, str], provider: Provider) -> list[str]:
    return [o for o in env.get(DEMO_VARIABLES[provider], "").split(",") if o]


def _quoted(name: str, value: str) -> str:
    # Single quotes are literal for the shell and for Compose, newlines (a PEM) included.
    if "'" in value:
        raise ValueError(f"{name} holds a single quote; it cannot be written literally")
    return f"{name}='{value}'"


def write_env_file(env: Mapping[str, str], path: Path) -> Path:
    """Writes `env` readable by its owner only: it holds credentials."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{_quoted(k, v)}\n" for k, v in env.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.chmod(path, 0o600)
    return path


def read_env_file(path: Path) -> dict[str, str]:
    """Reads what `write_env_file` wrote."""
    env: dict[str, str] = {}
    text = path.read_text(encoding="utf-8")
    while text:
        name, _, rest = text.partition("='")
        value, _, text = rest.partition("'\n")
        env[name.strip()] = value
    return env


def publish_sandbox_env(
    sandboxes: Mapping[Provider, ProviderSandbox],
    *,
    host: str,
    port: int,
    var_dir: Path = Path("var"),
) -> Path:
    """For `staking-gateway sandbox`: writes the env file and says where.

    The URL gateways reach the sandboxes at is `SANDBOX_PUBLIC_URL` (e.g.
    `http://sandbox:8100` in Compose), else the bound address; the file is
    `SANDBOX_ENV_FILE`, else `<var_dir>/sandbox.env`.
    """
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base_url = os.environ.get(PUBLIC_URL_VARIABLE) or f"http://{reachable}:{port}"
    path = Path(os.environ.get(ENV_FILE_VARIABLE) or var_dir / "sandbox.env")
    env = gateway_env(sandboxes, base_url)
    write_env_file(env, path)
    print(f"Gateway settings for these sandboxes: {path} (`set -a; . {path}`)")
    print(
        f"Demo client: staking-gateway clients create --name demo {env[DEMO_CLIENT_ARGS]}",
        flush=True,
    )
    return path
