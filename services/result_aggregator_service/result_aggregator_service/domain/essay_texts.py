"""An essay's original text: what the teacher's file held, and what misspelling offsets index."""

from __future__ import annotations

from common_core.result_api import EssayTextV1
from result_aggregator_service.domain.ports import TextStore
from result_aggregator_service.domain.queries import ResultQueries


class EssayTextMissing(Exception):
    """The essay has no text to show: none assigned yet, or it is no longer stored."""

    def __init__(self, essay_id: str, message: str) -> None:
        super().__init__(message)
        self.essay_id = essay_id
        self.message = message


class EssayTexts:
    """The owner's essay text, fetched from the Content Service by its storage id."""

    def __init__(self, queries: ResultQueries, texts: TextStore) -> None:
        self._queries = queries
        self._texts = texts

    async def original(self, batch_id: str, essay_id: str, user_id: str) -> EssayTextV1:
        """The essay's extracted text; the essay read's 404s for foreign or unknown ids."""
        # The essay read checks ownership (and asks BOS for batches not in the view yet).
        essay = await self._queries.essay(batch_id, essay_id, user_id, include_text=False)
        if essay.text_storage_id is None:
            raise EssayTextMissing(
                essay_id, "The essay has no text yet: no uploaded file has been assigned to it."
            )
        text = await self._texts.text(essay.text_storage_id)
        if text is None:
            raise EssayTextMissing(essay_id, "The essay's text is no longer stored.")
        return EssayTextV1(
            essay_id=essay.essay_id,
            batch_id=essay.batch_id,
            file_upload_id=essay.file_upload_id,
            filename=essay.filename,
            text_storage_id=essay.text_storage_id,
            char_count=len(text),
            text=text,
        )
