"""Store and fetch use cases against a hand-written fake repository."""

from __future__ import annotations

import hashlib

import pytest

from content_service.domain import (
    ContentNotFound,
    ContentTooLarge,
    EmptyContent,
    FetchContent,
    InvalidReference,
    Provenance,
    StoreContent,
    StoredContent,
)

pytestmark = pytest.mark.unit


class FakeContentRepository:
    """Dict-backed ContentRepository."""

    def __init__(self) -> None:
        self.items: dict[str, StoredContent] = {}
        self.provenance: dict[str, list[Provenance]] = {}

    async def add_if_absent(self, content: StoredContent, provenance: Provenance) -> bool:
        self.provenance.setdefault(content.content_id, []).append(provenance)
        if content.content_id in self.items:
            return False
        self.items[content.content_id] = content
        return True

    async def get(self, content_id: str) -> StoredContent | None:
        return self.items.get(content_id)


ESSAY = "Åsa Öberg: Varför vi borde läsa fler böcker i skolan.".encode()


class TestStoreContent:
    async def test_id_is_the_sha256_of_the_bytes(self) -> None:
        result = await StoreContent(FakeContentRepository(), 1000).execute(ESSAY, "text/plain")
        assert result.content_id == hashlib.sha256(ESSAY).hexdigest()
        assert result.created is True
        assert result.size_bytes == len(ESSAY)

    async def test_same_bytes_twice_store_once(self) -> None:
        repo = FakeContentRepository()
        use_case = StoreContent(repo, 1000)
        first = await use_case.execute(ESSAY, "text/plain; charset=utf-8")
        second = await use_case.execute(ESSAY, "text/plain; charset=utf-8")
        assert first.content_id == second.content_id
        assert (first.created, second.created) == (True, False)
        assert len(repo.items) == 1

    async def test_missing_content_type_defaults_to_octet_stream(self) -> None:
        result = await StoreContent(FakeContentRepository(), 1000).execute(b"x", None)
        assert result.content_type == "application/octet-stream"

    async def test_holder_and_source_are_passed_on(self) -> None:
        repo = FakeContentRepository()
        source = "a" * 64
        result = await StoreContent(repo, 1000).execute(
            ESSAY, "text/plain", Provenance(holder="batch-1", derived_from=source)
        )
        assert repo.provenance[result.content_id] == [Provenance("batch-1", source)]

    @pytest.mark.parametrize(
        ("provenance", "field"),
        [
            (Provenance(holder="../b"), "holder"),
            (Provenance(holder="b" * 65), "holder"),
            (Provenance(derived_from="not-an-id"), "derived_from"),
        ],
    )
    async def test_malformed_holder_or_source_is_refused(
        self, provenance: Provenance, field: str
    ) -> None:
        repo = FakeContentRepository()
        with pytest.raises(InvalidReference, match=field):
            await StoreContent(repo, 1000).execute(ESSAY, "text/plain", provenance)
        assert repo.items == {}

    async def test_empty_and_oversized_content_is_refused(self) -> None:
        use_case = StoreContent(FakeContentRepository(), 10)
        with pytest.raises(EmptyContent):
            await use_case.execute(b"", "text/plain")
        with pytest.raises(ContentTooLarge):
            await use_case.execute(b"x" * 11, "text/plain")


class TestFetchContent:
    async def test_fetches_what_was_stored(self) -> None:
        repo = FakeContentRepository()
        stored = await StoreContent(repo, 1000).execute(ESSAY, "text/plain")
        content = await FetchContent(repo).execute(stored.content_id)
        assert content.data == ESSAY

    @pytest.mark.parametrize("content_id", ["0" * 64, "not-a-hash", "../etc/passwd", ""])
    async def test_unknown_or_malformed_ids_are_not_found(self, content_id: str) -> None:
        with pytest.raises(ContentNotFound):
            await FetchContent(FakeContentRepository()).execute(content_id)
