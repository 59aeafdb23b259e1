"""Integration-test helpers of the roster side: settings for a test schema, a teacher's HTTP
client over the Quart test client, and raw reads of the database (importable, no conftest)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from quart.typing import TestClientProtocol
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.config import ClassManagementSettings
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_testing import random_id, random_name
from huleedu_testing.fixtures import LIBS_TEST_DATABASE

INTERNAL_KEY = "cms-it-internal-key"


async def schema_of(engine: AsyncEngine) -> str:
    """The test engine's schema (its search_path)."""
    async with engine.connect() as conn:
        return str(await conn.scalar(text("SHOW search_path"))).strip('"')


def settings_for_schema(schema: str, **overrides: Any) -> ClassManagementSettings:
    """Settings for the test schema in the library test database."""
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "internal_api_key": INTERNAL_KEY,
        "database_url": InfraSettings().database_url(LIBS_TEST_DATABASE),
        "database_schema": schema,
        "kafka_consumer_group": random_name("cms-it"),
        **overrides,
    }
    return ClassManagementSettings(**values)


@dataclass(frozen=True)
class Answer:
    """Status and JSON body of one response."""

    status: int
    body: Any

    @property
    def error_code(self) -> str | None:
        """The shared error body's code, if this is an error."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"]["code"])
        return None


class TeacherApi:
    """One teacher's calls to the internal API (the gateway's headers added)."""

    def __init__(self, client: TestClientProtocol, user_id: str | None = None) -> None:
        self.client = client
        self.user_id = user_id or f"teacher-{random_id()}"

    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        correlation_id: str | None = None,
    ) -> Answer:
        """Send one request; the answer's body parsed as JSON when there is one."""
        headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": self.user_id}
        if correlation_id:
            headers["X-Correlation-ID"] = correlation_id
        if content_type:
            headers["Content-Type"] = content_type
        kwargs: dict[str, Any] = {"headers": headers}
        if json_body is not None:
            kwargs["json"] = json_body
        if data is not None:
            kwargs["data"] = data
        response = await self.client.open(path, method=method, **kwargs)
        raw = await response.get_data(as_text=True)
        return Answer(response.status_code, json.loads(raw) if raw else None)

    async def create_class(self, name: str | None = None, course_code: str = "ENG5") -> str:
        """A new class's id (fails the test unless 201)."""
        answer = await self.call(
            "POST",
            "/internal/v1/classes",
            json_body={"name": name or random_name("9A"), "course_code": course_code},
        )
        assert answer.status == 201, answer.body
        return str(answer.body["class_id"])

    async def create_student(
        self,
        first_name: str,
        last_name: str,
        email: str,
        class_ids: Iterable[str] = (),
    ) -> Answer:
        """POST /internal/v1/students."""
        body = {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "class_ids": list(class_ids),
        }
        return await self.call("POST", "/internal/v1/students", json_body=body)

    async def import_roster(
        self, class_id: str, csv_bytes: bytes, content_type: str = "text/csv"
    ) -> Answer:
        """POST a CSV roster to the class."""
        return await self.call(
            "POST",
            f"/internal/v1/classes/{class_id}/roster",
            data=csv_bytes,
            content_type=content_type,
        )


class Db:
    """Raw reads of the test schema (what an attacker with a database dump would see)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a query as dicts."""
        async with self.engine.connect() as conn:
            return [dict(r._mapping) for r in await conn.execute(text(sql), params)]

    async def count(self, table: str) -> int:
        """Rows in a table of the schema."""
        found = await self.rows(f"SELECT count(*) AS n FROM {table}")
        return int(found[0]["n"])

    async def counts(self, *tables: str) -> dict[str, int]:
        """Row counts of several tables."""
        return {table: await self.count(table) for table in tables}

    async def outbox(self) -> list[tuple[str, str | None, dict[str, Any]]]:
        """(event_type, key, envelope) of every outbox row, oldest first."""
        found = await self.rows(
            "SELECT event_type, event_key, payload FROM event_outbox ORDER BY id"
        )
        return [(r["event_type"], r["event_key"], json.loads(bytes(r["payload"]))) for r in found]

    async def raw_values(self, table: str) -> list[bytes]:
        """Every stored value of a table as bytes: bytea as stored, others as their text."""
        values: list[bytes] = []
        for row in await self.rows(f"SELECT * FROM {table}"):
            for value in row.values():
                if isinstance(value, bytes | bytearray | memoryview):
                    values.append(bytes(value))
                elif value is not None:
                    values.append(str(value).encode("utf-8"))
        return values
