"""The gateway in front of the real File Service: what a teacher sees for files and uploads.

The File Service runs for real (its migrated schema, the real Content Service); only the
Batch Orchestrator is a stub, so a test can close a batch the way starting a pipeline does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import file_service
from api_gateway_service.auth import TokenIssuer
from api_gateway_service.config import GatewaySettings
from file_service.app import create_app as create_file_app
from file_service.config import FileServiceSettings
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_testing import random_id, random_name
from huleedu_testing.bos_stub import BosStub
from huleedu_testing.content_service import (
    content_service_engine,
    serve_content_service,
)
from huleedu_testing.gateway.harness import INTERNAL_KEY, JWT_SECRET, call, serve_gateway
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes
from huleedu_testing.servers import serve_in_background

BOUNDARY = "gatewayToFileServiceBoundary3"
FILE_SERVICE_DIR = Path(file_service.__file__).resolve().parents[1]


@dataclass
class Platform:
    """The gateway's URL, the BOS stub and a teacher with a batch of their own."""

    url: str
    settings: GatewaySettings
    bos: BosStub
    http: aiohttp.ClientSession
    teacher: str
    batch_id: str

    def auth(self, user_id: str | None = None) -> dict[str, str]:
        dev = self.settings.model_copy(update={"environment": Environment.DEVELOPMENT})
        return {"Authorization": f"Bearer {TokenIssuer(dev).issue(user_id or self.teacher)[0]}"}

    async def upload(self, raw: bytes) -> tuple[int, Any]:
        headers = {**self.auth(), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        return await call(
            self.http, "POST", f"{self.url}/v1/batches/{self.batch_id}/files", data=raw,
            headers=headers,
        )  # fmt: skip

    async def files(self, batch_id: str | None = None, user_id: str | None = None) -> Any:
        url = f"{self.url}/v1/batches/{batch_id or self.batch_id}/files"
        return await call(self.http, "GET", url, headers=self.auth(user_id))


def part(disposition: bytes, data: bytes) -> bytes:
    return (
        b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: " + disposition
        + b"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    )  # fmt: skip


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--" + BOUNDARY.encode() + b"--\r\n"


def essay(seed: int) -> str:
    return essay_text("sv", 300, header="Namn: Nora Blom\nKlass: EK22a", seed=seed)


def file_part(name: str, data: bytes) -> bytes:
    return part(f'form-data; name="files"; filename="{name}"'.encode(), data)


@pytest.fixture
async def platform(pg_engine: AsyncEngine, infra: InfraSettings) -> AsyncIterator[Platform]:
    await upgrade_to_head(pg_engine, FILE_SERVICE_DIR)
    async with (
        content_service_engine(infra) as content_engine,
        serve_content_service(content_engine, INTERNAL_KEY) as content,
        BosStub(internal_api_key=INTERNAL_KEY) as bos,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
    ):
        file_settings = FileServiceSettings(
            environment=Environment.TEST,
            internal_api_key=INTERNAL_KEY,
            content_service_url=content.url,
            bos_url=bos.url,
            log_level="WARNING",
        )
        app = create_file_app(file_settings, pg_engine)
        async with serve_in_background(app, file_settings) as file_url:
            settings = GatewaySettings(
                environment="test",
                internal_api_key=INTERNAL_KEY,
                jwt_secret=JWT_SECRET,
                bos_url=bos.url,
                file_service_url=file_url,
                result_aggregator_url=bos.url,
                class_management_url=bos.url,
                notification_consumer_group=random_name("gateway-files-it"),
                log_level="WARNING",
            )
            async with serve_gateway(settings) as url:
                teacher, batch_id = random_id(), random_id()
                bos.add_batch(batch_id, teacher)
                yield Platform(url, settings, bos, http, teacher, batch_id)


async def test_the_owner_lists_files_after_processing_started(platform: Platform) -> None:
    status, uploaded = await platform.upload(
        multipart(file_part("nora.docx", docx_bytes(essay(1))))
    )
    assert status == 201, uploaded
    platform.bos.set_accepts_files(platform.batch_id, False)

    status, listed = await platform.files()
    foreign = await platform.files(user_id=random_id())
    unknown = await platform.files(batch_id=random_id())

    assert status == 200, listed
    assert [f["filename"] for f in listed["files"]] == ["nora.docx"]
    assert listed["files"][0]["file_upload_id"] == uploaded["files"][0]["file_upload_id"]
    for answer in (foreign, unknown):
        assert (answer[0], answer[1]["error"]["code"]) == (404, "BATCH_NOT_FOUND")


@pytest.mark.parametrize(
    ("disposition", "fault"),
    [
        (
            b'form-data; name="files"; filename="nora\r\nblom.docx"',
            "part 2 has a malformed Content-Disposition header: the quoted filename value is "
            "not closed",
        ),
        (
            b'form-data; name="files"; filename="nora "slutversion".docx"',
            "part 2 has a malformed Content-Disposition header: unexpected",
        ),
        (
            b'form-data; name="files"; filename="\xd6rebro.docx"',
            "part 2 has headers that are not valid UTF-8",
        ),
    ],
)
async def test_a_malformed_part_header_is_named_to_the_teacher(
    platform: Platform, disposition: bytes, fault: str
) -> None:
    raw = multipart(file_part("ok.docx", docx_bytes(essay(2))), part(disposition, b"x" * 500))

    status, body = await platform.upload(raw)

    assert status == 400, body
    error = body["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert error["message"].startswith("The upload body is malformed: " + fault)
    assert error["details"]["part"] == 2
    assert error["service"] == "file_service"
    status, listed = await platform.files()
    assert (status, listed["files"]) == (200, [])


async def test_the_pdf_of_an_uploaded_docx_is_refused_naming_the_docx(platform: Platform) -> None:
    status, first = await platform.upload(multipart(file_part("Nora.docx", docx_bytes(essay(3)))))
    assert status == 201, first

    status, again = await platform.upload(multipart(file_part("Nora.pdf", pdf_bytes(essay(3)))))

    assert status == 422, again
    assert again["error"]["code"] == "DUPLICATE_FILE"
    [result] = again["error"]["details"]["files"]
    assert (
        result["details"]["duplicate_of"]["file_upload_id"] == (first["files"][0]["file_upload_id"])
    )
    assert result["details"]["match"] == "same_text"
    assert '"Nora.docx"' in result["message"]
