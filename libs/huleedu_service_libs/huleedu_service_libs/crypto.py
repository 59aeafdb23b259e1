"""Application-level encryption with rotatable Fernet keys: the one helper every service uses.

A key ring is configured as the settings hold it: Fernet keys, comma-separated, newest first.
New values are encrypted with the first key; any key of the ring decrypts; `rotate` re-encrypts
a token under the first key, so once every stored token is current an old key can be dropped.
Class Management keeps students' names and emails with it, the Content Service its blobs, and
the File Service and Class Management the personal data that has to cross Kafka.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = [
    "DEV_EVENT_PII_KEY",
    "KeyRing",
    "UndecryptableError",
    "generate_key",
    "has_key",
    "parse_keys",
]

# Public development key for personal data inside events (File Service -> Class Management
# and back): both services default to it so a laptop works out of the box, and both refuse it
# in production.
DEV_EVENT_PII_KEY = "PA6ZSPo-EN1jxCHfldnyhQc3MLbN5p8GU4-j8Eon8KM="


class UndecryptableError(ValueError):
    """A token was not made with any key of the ring (or was tampered with)."""


def parse_keys(keys: str) -> list[str]:
    """The non-empty keys of a comma-separated setting, in order."""
    return [k.strip() for k in keys.split(",") if k.strip()]


def has_key(keys: str, key: str) -> bool:
    """True when `key` is one of the ring's keys (a development key refused in production)."""
    return key in parse_keys(keys)


def generate_key() -> str:
    """A new random Fernet key (URL-safe base64 text)."""
    return Fernet.generate_key().decode()


class KeyRing:
    """Encrypts with the newest key, decrypts with any, re-encrypts old tokens."""

    def __init__(self, keys: str) -> None:
        parsed = parse_keys(keys)
        if not parsed:
            raise ValueError("at least one encryption key is required")
        fernets = [Fernet(k.encode()) for k in parsed]
        self._primary = fernets[0]
        self._all = MultiFernet(fernets)

    def encrypt(self, data: bytes) -> bytes:
        """A token for `data` under the primary key."""
        return self._primary.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """The plaintext of a token made with any key of the ring."""
        try:
            return self._all.decrypt(bytes(token))
        except InvalidToken as exc:
            raise UndecryptableError("no configured key decrypts this value") from exc

    def encrypt_text(self, value: str) -> str:
        """A token (ASCII text) for a string: for JSON fields such as event payloads."""
        return self.encrypt(value.encode()).decode("ascii")

    def decrypt_text(self, token: str) -> str:
        """The string an `encrypt_text` token holds."""
        return self.decrypt(token.encode("ascii")).decode()

    def is_current(self, token: bytes) -> bool:
        """True when the token is under the primary key (rotation leaves it alone)."""
        try:
            self._primary.decrypt(bytes(token))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        """The same plaintext re-encrypted under the primary key."""
        try:
            return self._all.rotate(bytes(token))
        except InvalidToken as exc:
            raise UndecryptableError("no configured key decrypts this value") from exc
