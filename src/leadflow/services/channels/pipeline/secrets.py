"""Connector secrets at rest: a Fernet token of the JSON of named secrets, under a key derived
from LEADFLOW_SECRET_KEY (HKDF-SHA256), so the database alone never reveals one. What is shown
again is a hint (`…abcd`), never the secret."""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"leadflow connector secrets v1"


class UnreadableSecrets(Exception):
    """The stored secrets cannot be decrypted: LEADFLOW_SECRET_KEY changed since they were
    saved. Enter them again."""

    def __init__(self) -> None:
        super().__init__(
            "the connector's secrets cannot be decrypted with this LEADFLOW_SECRET_KEY; "
            "enter them again"
        )


class Vault:
    def __init__(self, secret_key: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret_key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secrets: dict[str, str]) -> bytes:
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode())

    def open(self, sealed: bytes | None) -> dict[str, str]:
        if not sealed:
            return {}
        try:
            opened: dict[str, str] = json.loads(self._fernet.decrypt(sealed))
        except InvalidToken:
            raise UnreadableSecrets() from None
        return opened


def hint(secret: str) -> str:
    """What is shown of a secret: its last four characters (none of a short one)."""
    return f"…{secret[-4:]}" if len(secret) >= 12 else "…"
