"""decode_text: every encoding a Swedish student's editor writes comes out as the same text."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from common_core.errors import ErrorCode
from file_service.domain import FileRejected, decode_text
from file_service.domain.text_decoding import looks_like_text
from huleedu_testing.sample_files import TEXT_ENCODINGS, txt_bytes

pytestmark = pytest.mark.unit

SENTENCE = "Åsa Öberg skrev om älgar och höstens färger"
# Curly quotes, an en dash and an apostrophe, as Word types them.
QUOTES = "\u201cHej\u201d, sa hon \u2013 det är vår \u2019sista\u2019 chans. ÅÄÖ"
UNDECODABLE = "The text file could not be decoded; save it as UTF-8 text and upload it again."


class TestEncodings:
    @pytest.mark.parametrize("encoding", TEXT_ENCODINGS)
    def test_swedish_sentence_round_trips(self, encoding: str) -> None:
        assert decode_text(txt_bytes(SENTENCE, encoding)) == SENTENCE

    @pytest.mark.parametrize("encoding", TEXT_ENCODINGS)
    def test_curly_quotes_and_dashes_round_trip(self, encoding: str) -> None:
        assert decode_text(txt_bytes(QUOTES, encoding)) == QUOTES

    def test_utf16_big_endian_with_and_without_bom(self) -> None:
        assert decode_text(codecs.BOM_UTF16_BE + SENTENCE.encode("utf-16-be")) == SENTENCE
        assert decode_text(SENTENCE.encode("utf-16-be")) == SENTENCE

    def test_utf32_with_bom(self) -> None:
        assert decode_text(SENTENCE.encode("utf-32")) == SENTENCE

    def test_windows_1252_is_the_fallback_not_latin1(self) -> None:
        # 0x92 and 0x96 are a curly apostrophe and an en dash in Windows-1252, controls in Latin-1.
        assert decode_text(b"Det \x92r \x96 bra") == "Det \u2019r \u2013 bra"

    def test_utf8_bom_is_removed(self) -> None:
        assert decode_text(codecs.BOM_UTF8 + b"hej") == "hej"


class TestNormalisation:
    def test_windows_and_old_mac_newlines_become_lf(self) -> None:
        assert decode_text(txt_bytes("a\nb\n\nc", "utf-8", newline="\r\n")) == "a\nb\n\nc"
        assert decode_text(b"a\rb") == "a\nb"

    def test_decomposed_letters_are_composed(self) -> None:
        decomposed = unicodedata.normalize("NFD", SENTENCE)
        assert decomposed != SENTENCE
        assert decode_text(decomposed.encode("utf-8")) == SENTENCE


class TestUndecodable:
    @pytest.mark.parametrize(
        "data",
        [
            b"caf\xc3\xa9 \x81\x8d",  # not UTF-8, and 0x81 is undefined in Windows-1252
            codecs.BOM_UTF8 + b"\xff\xfe broken",
            codecs.BOM_UTF16_LE + "hej".encode("utf-16-le") + b"\x00",  # odd length
            codecs.BOM_UTF16_LE + b"\x00\xd8\x41\x00",  # lone surrogate
            b"a\x00b\x00c\x00d\x00" + b"\x00\x00",  # UTF-16 that decodes to NUL characters
        ],
    )
    def test_corrupt_file(self, data: bytes) -> None:
        with pytest.raises(FileRejected) as caught:
            decode_text(data)
        assert caught.value.code is ErrorCode.CORRUPT_FILE
        assert caught.value.message == UNDECODABLE


class TestLooksLikeText:
    @pytest.mark.parametrize("encoding", TEXT_ENCODINGS)
    def test_text_in_every_encoding(self, encoding: str) -> None:
        assert looks_like_text(txt_bytes(SENTENCE * 20, encoding))

    def test_nul_bytes_mean_binary(self) -> None:
        assert not looks_like_text(b"hej\x00\x00\x00\x00\x10\x20")

    def test_dos_end_of_file_marker_is_text(self) -> None:
        assert looks_like_text(b"hej hopp\r\n\x1a")
