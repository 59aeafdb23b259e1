"""The roster read's cache of decrypted names and emails: hits, size bound, age bound, off."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from class_management_service.adapters.pii import PiiCipher, PiiKeyError
from class_management_service.adapters.pii_cache import PiiPlaintextCache
from class_management_service.config import DEV_PII_ENCRYPTION_KEY, DEV_PII_HASH_KEY


class CountingCipher(PiiCipher):
    """The real cipher, counting decryptions."""

    def __init__(self) -> None:
        super().__init__(DEV_PII_ENCRYPTION_KEY, DEV_PII_HASH_KEY)
        self.decryptions = 0

    def decrypt(self, token: bytes) -> str:
        self.decryptions += 1
        return super().decrypt(token)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cipher() -> CountingCipher:
    return CountingCipher()


def make_cache(cipher: PiiCipher, clock: Clock, students: int = 10) -> PiiPlaintextCache:
    return PiiPlaintextCache(cipher, max_students=students, max_age_seconds=60, clock=clock)


def test_a_token_is_decrypted_once_while_cached(cipher: CountingCipher) -> None:
    cache = make_cache(cipher, Clock())
    name, email = cipher.encrypt_name("Åsa", "Öberg"), cipher.encrypt("asa@x.se")
    for _ in range(3):
        cache.refresh()
        assert (cache.name(name), cache.email(email)) == (("Åsa", "Öberg"), "asa@x.se")
    assert cipher.decryptions == 2
    assert len(cache) == 2


def test_the_oldest_entries_go_beyond_the_size_bound(cipher: CountingCipher) -> None:
    cache = make_cache(cipher, Clock(), students=2)
    tokens = [cipher.encrypt(f"s{i}@x.se") for i in range(3)]
    for token in tokens:
        cache.email(token)
    assert len(cache) == 2
    cache.email(tokens[2])
    cache.email(tokens[1])
    assert cipher.decryptions == 3
    cache.email(tokens[0])  # evicted first, so decrypted again
    assert cipher.decryptions == 4


def test_entries_leave_memory_after_their_maximum_age(cipher: CountingCipher) -> None:
    clock = Clock()
    cache = make_cache(cipher, clock)
    old = cipher.encrypt_name("Bo", "Berg")
    cache.refresh()
    cache.name(old)
    clock.now += 30
    cache.refresh()
    young = cipher.encrypt("eva@x.se")
    cache.email(young)
    clock.now += 31  # the name is 61 s old, the email 31 s
    cache.refresh()
    assert len(cache) == 1
    assert cache.email(young) == "eva@x.se"
    assert cipher.decryptions == 2
    cache.name(old)
    assert cipher.decryptions == 3


def test_size_zero_turns_the_cache_off_and_errors_are_not_cached(
    cipher: CountingCipher,
) -> None:
    cache = make_cache(cipher, Clock(), students=0)
    token = cipher.encrypt("a@x.se")
    cache.email(token)
    cache.email(token)
    assert (cipher.decryptions, len(cache)) == (2, 0)
    other_keys = make_cache(PiiCipher(Fernet.generate_key().decode(), DEV_PII_HASH_KEY), Clock())
    with pytest.raises(PiiKeyError):
        other_keys.email(token)
    assert len(other_keys) == 0
