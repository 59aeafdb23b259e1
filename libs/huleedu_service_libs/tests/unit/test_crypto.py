"""The shared key ring: newest key encrypts, any decrypts, rotation, dev-key detection."""

from __future__ import annotations

import pytest

from huleedu_service_libs.crypto import (
    DEV_EVENT_PII_KEY,
    KeyRing,
    UndecryptableError,
    generate_key,
    has_key,
    parse_keys,
)

pytestmark = pytest.mark.unit

K1, K2 = generate_key(), generate_key()


def test_a_value_round_trips_and_the_token_hides_it() -> None:
    ring = KeyRing(K1)
    token = ring.encrypt("Åsa Öberg".encode())
    assert "Åsa".encode() not in token
    assert ring.decrypt(token).decode() == "Åsa Öberg"
    text_token = ring.encrypt_text("asa.oberg@elev.skola.se")
    assert text_token.isascii()
    assert "asa" not in text_token
    assert ring.decrypt_text(text_token) == "asa.oberg@elev.skola.se"


def test_the_newest_key_encrypts_and_any_key_decrypts() -> None:
    old_token = KeyRing(K1).encrypt(b"x")
    ring = KeyRing(f" {K2} , {K1} ")
    assert ring.decrypt(old_token) == b"x"
    assert not ring.is_current(old_token)
    new_token = ring.encrypt(b"y")
    assert ring.is_current(new_token)
    assert KeyRing(K2).decrypt(new_token) == b"y"
    with pytest.raises(UndecryptableError):
        KeyRing(K1).decrypt(new_token)


def test_rotation_moves_a_token_to_the_newest_key() -> None:
    old_token = KeyRing(K1).encrypt(b"x")
    rotated = KeyRing(f"{K2},{K1}").rotate(old_token)
    assert KeyRing(K2).decrypt(rotated) == b"x"
    with pytest.raises(UndecryptableError):
        KeyRing(K2).rotate(KeyRing(generate_key()).encrypt(b"x"))


def test_tampered_or_foreign_tokens_are_refused() -> None:
    token = bytearray(KeyRing(K1).encrypt(b"x"))
    token[-5] ^= 1
    with pytest.raises(UndecryptableError):
        KeyRing(K1).decrypt(bytes(token))


def test_configuration_is_parsed_and_checked() -> None:
    assert parse_keys(f"{K1}, ,{K2},") == [K1, K2]
    assert has_key(f"{K2},{DEV_EVENT_PII_KEY}", DEV_EVENT_PII_KEY)
    assert not has_key(K2, DEV_EVENT_PII_KEY)
    with pytest.raises(ValueError, match="at least one"):
        KeyRing(" , ")
    with pytest.raises(ValueError, match="32 url-safe base64"):
        KeyRing("not-a-fernet-key")
