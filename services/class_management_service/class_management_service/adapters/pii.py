"""Application-level protection of student PII: Fernet encryption with rotation, keyed hashes.

Encryption is the platform's shared key ring (`huleedu_service_libs.crypto`); what is this
service's own is the JSON form of a name and the keyed email hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from huleedu_service_libs.crypto import KeyRing, UndecryptableError

# json.dumps(..., ensure_ascii=False) builds a new encoder on every call; this one is the same
# encoder, made once (same output).
_NAME_ENCODER = json.JSONEncoder(ensure_ascii=False)


class PiiKeyError(UndecryptableError):
    """A stored value could not be decrypted with any configured key."""


def normalise_email(email: str) -> str:
    """The form emails are compared and hashed in: trimmed and lower-cased."""
    return email.strip().lower()


class PiiCipher:
    """Encrypts names and emails with the newest key, decrypts with any, hashes emails."""

    def __init__(self, encryption_keys: str, hash_key: str) -> None:
        try:
            self._ring = KeyRing(encryption_keys)
        except ValueError as exc:
            raise ValueError(f"PII encryption keys: {exc}") from None
        if not hash_key:
            raise ValueError("a PII hash key is required")
        self._hash_key = hash_key.encode()

    @property
    def keyring(self) -> KeyRing:
        """The encryption keys (key rotation re-encrypts with them)."""
        return self._ring

    def encrypt(self, value: str) -> bytes:
        """A Fernet token for `value` under the primary key."""
        return self._ring.encrypt(value.encode())

    def decrypt(self, token: bytes) -> str:
        """The plaintext of a token made with any configured key."""
        try:
            return self._ring.decrypt(bytes(token)).decode()
        except UndecryptableError as exc:
            raise PiiKeyError("stored PII cannot be decrypted with the configured keys") from exc

    def encrypt_name(self, first_name: str, last_name: str) -> bytes:
        """One token for both name parts (one decryption per student on the read path)."""
        return self.encrypt(_NAME_ENCODER.encode([first_name, last_name]))

    def decrypt_name(self, token: bytes) -> tuple[str, str]:
        """(first_name, last_name) from an `encrypt_name` token."""
        first, last = json.loads(self.decrypt(token))
        return str(first), str(last)

    def email_hash(self, email: str) -> str:
        """HMAC-SHA256 (hex) of the normalised email: the lookup and uniqueness key."""
        digest = hmac.new(self._hash_key, normalise_email(email).encode(), hashlib.sha256)
        return digest.hexdigest()

    def rotate(self, token: bytes) -> bytes:
        """The same plaintext re-encrypted under the primary key."""
        try:
            return self._ring.rotate(bytes(token))
        except UndecryptableError as exc:
            raise PiiKeyError("stored PII cannot be decrypted with the configured keys") from exc
