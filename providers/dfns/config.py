"""How the gateway reaches Dfns: the API root, a token and a signing credential."""

from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

DEFAULT_ORIGIN = "https://app.dfns.io"


@dataclass(frozen=True, slots=True)
class DfnsConfig:
    """`auth_token` is a service-account or personal access token; `cred_id` and
    `private_key_pem` are the Key credential that signs user actions (every write)."""

    api_url: str
    auth_token: SecretStr
    cred_id: str
    private_key_pem: SecretStr
    origin: str = DEFAULT_ORIGIN

    @classmethod
    def with_key_file(
        cls,
        *,
        api_url: str,
        auth_token: SecretStr,
        cred_id: str,
        private_key_file: str | Path,
        origin: str = DEFAULT_ORIGIN,
    ) -> "DfnsConfig":
        """The same, reading the key PEM from a file (`DFNS_PRIVATE_KEY_FILE`)."""
        pem = Path(private_key_file).read_text(encoding="utf-8")
        return cls(
            api_url=api_url,
            auth_token=auth_token,
            cred_id=cred_id,
            private_key_pem=SecretStr(pem),
            origin=origin,
        )
