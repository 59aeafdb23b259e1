"""`huleedu upload` and `huleedu files list|remove` against the fake gateway."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docx


def _essays(folder: Path) -> Path:
    """A folder as a teacher has it: essays, a nested folder, junk and a hidden file."""
    folder.mkdir()
    (folder / "anna.txt").write_text("My summer was long and warm. " * 20)
    (folder / "bertil.md").write_text("# Essay\n\nIt was a dark and stormy night. " * 10)
    (folder / "empty.txt").write_text("")
    (folder / "notes.xlsx").write_bytes(b"not an essay")
    (folder / ".hidden.txt").write_text("editor backup")
    nested = folder / "group2"
    nested.mkdir()
    document = docx.Document()
    document.add_paragraph("Cecilia wrote about her journey to Kiruna. " * 15)
    document.save(str(nested / "cecilia.docx"))
    return folder


class TestUpload:
    def test_folder_uploads_essay_types_and_reports_rejections(
        self, cli: Any, tmp_path: Path
    ) -> None:
        cli.signed_in()
        folder = _essays(tmp_path / "essays")

        result = cli("upload", "b-1", str(folder))

        assert result.exit_code == 0, result.output
        sent = sorted(n for names in cli.gateway.upload_requests for n in names)
        assert sent == ["anna.txt", "bertil.md", "cecilia.docx", "empty.txt"]
        assert "3 accepted, 1 rejected" in result.stdout
        assert "EMPTY_FILE" in result.stdout
        assert "The file is empty." in result.stdout

    def test_files_are_sent_in_chunks(self, cli: Any, tmp_path: Path) -> None:
        cli.signed_in()
        folder = _essays(tmp_path / "essays")

        result = cli("upload", "b-1", str(folder), "--chunk-size", "3")

        assert result.exit_code == 0, result.output
        assert [len(names) for names in cli.gateway.upload_requests] == [3, 1]

    def test_a_chunk_with_nothing_accepted_does_not_stop_the_rest(
        self, cli: Any, tmp_path: Path
    ) -> None:
        cli.signed_in()
        bad = tmp_path / "bad.pdf"
        bad.write_text("   ")
        slides = tmp_path / "slides.pptx"
        slides.write_bytes(b"pptx")
        good = tmp_path / "good.txt"
        good.write_text("A real essay about rivers.")

        result = cli(
            "--json", "upload", "b-1", str(bad), str(slides), str(good), "--chunk-size", "2"
        )

        summary = json.loads(result.stdout)
        assert result.exit_code == 0
        assert summary["accepted_count"] == 1
        codes = {f["filename"]: f.get("error_code") for f in summary["files"]}
        assert codes == {
            "good.txt": None,
            "bad.pdf": "EMPTY_FILE",
            "slides.pptx": "UNSUPPORTED_FILE_TYPE",
        }

    def test_request_level_error_stops_and_lists_files_not_sent(
        self, cli: Any, tmp_path: Path, api_error: Any
    ) -> None:
        cli.signed_in()
        folder = _essays(tmp_path / "essays")
        cli.gateway.fail(
            "POST /v1/batches/{batch_id}/files",
            api_error(409, "BATCH_NOT_ACCEPTING_FILES", "Processing has started."),
        )

        result = cli("--json", "upload", "b-1", str(folder), "--chunk-size", "2")

        summary = json.loads(result.stdout)
        assert result.exit_code == 1
        assert len(summary["not_sent"]) == 4
        assert json.loads(result.stderr)["error"]["code"] == "BATCH_NOT_ACCEPTING_FILES"

    def test_missing_path_is_a_usage_error(self, cli: Any, tmp_path: Path) -> None:
        cli.signed_in()

        result = cli("upload", "b-1", str(tmp_path / "nope"))

        assert result.exit_code == 2
        assert "No such file or folder" in result.stderr
        assert cli.gateway.upload_requests == []

    def test_folder_without_essays_is_a_usage_error(self, cli: Any, tmp_path: Path) -> None:
        cli.signed_in()
        (tmp_path / "only.xlsx").write_bytes(b"x")

        result = cli("upload", "b-1", str(tmp_path))

        assert result.exit_code == 2
        assert "No essay files found" in result.stderr


class TestFiles:
    def test_list_then_remove(self, cli: Any, tmp_path: Path) -> None:
        cli.signed_in()
        essay = tmp_path / "anna.txt"
        essay.write_text("An essay about winter.")
        uploaded = json.loads(cli("--json", "upload", "b-1", str(essay)).stdout)
        upload_id = uploaded["files"][0]["file_upload_id"]

        listed = cli("files", "list", "b-1")
        removed = cli("files", "remove", "b-1", upload_id)
        relisted = json.loads(cli("--json", "files", "list", "b-1").stdout)

        assert upload_id in listed.stdout
        assert "anna.txt" in listed.stdout
        assert removed.exit_code == 0
        assert "Removed anna.txt from batch b-1." in removed.stdout
        assert relisted["files"] == []

    def test_removing_an_unknown_file(self, cli: Any) -> None:
        cli.signed_in()

        result = cli("files", "remove", "b-1", "f-404")

        assert result.exit_code == 1
        assert "File not found (FILE_NOT_FOUND)" in result.stderr
