"""Classes, enrolment and roster import through the gateway over real HTTP (CMS stubbed)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from huleedu_testing import random_id
from huleedu_testing.gateway.harness import GatewayFactory, call

BOUNDARY = "rosterBoundary9f3k2"
UTF8_CSV = "förnamn,efternamn,e-post\r\nÅsa,Öberg,asa.oberg@elev.skola.se\r\n".encode()
SEMICOLON_CSV = (
    "Namn;E-post\nÖberg, Åsa;asa.oberg@elev.skola.se\nLind, Erik;erik.lind@elev.skola.se\n"
).encode()


def multipart(field: str, content: bytes, filename: str = "klasslista 9A.csv") -> bytes:
    """A browser-style multipart body with one file part."""
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/vnd.ms-excel\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def test_courses_and_the_class_lifecycle(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    auth = gw.auth(teacher)

    status, courses = await call(http, "GET", f"{gw.url}/v1/courses", headers=auth)
    assert status == 200
    assert {c["course_code"] for c in courses["items"]} >= {"ENG5", "SV1"}
    body = {"name": "9A engelska", "course_code": "ENG5"}
    status, created = await call(http, "POST", f"{gw.url}/v1/classes", json=body, headers=auth)
    assert status == 201, created
    class_url = f"{gw.url}/v1/classes/{created['class_id']}"
    status, listing = await call(http, "GET", f"{gw.url}/v1/classes?limit=5", headers=auth)
    assert [c["class_id"] for c in listing["items"]] == [created["class_id"]]
    assert (listing["limit"], listing["offset"]) == (5, 0)
    status, renamed = await call(http, "PATCH", class_url, json={"name": "9B"}, headers=auth)
    assert (status, renamed["name"], renamed["course_code"]) == (200, "9B", "ENG5")
    status, detail = await call(http, "GET", class_url, headers=auth)
    assert (status, detail["students"]) == (200, [])
    status, nothing = await call(http, "DELETE", class_url, headers=auth)
    assert (status, nothing) == (204, None)
    status, gone = await call(http, "GET", class_url, headers=auth)
    assert (status, gone["error"]["code"]) == (404, "CLASS_NOT_FOUND")

    create, patch = (s for s in gw.classes.seen if s.method in ("POST", "PATCH"))
    assert json.loads(create.body) == body
    assert json.loads(patch.body) == {"name": "9B"}  # only the fields the teacher sent
    assert all(s.headers["X-User-ID"] == teacher for s in gw.classes.seen)
    assert all(
        s.headers["X-Internal-API-Key"] == gw.settings.internal_api_key for s in gw.classes.seen
    )


async def test_downstream_user_is_the_token_subject_not_a_client_header(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, other = user_ids
    gw.classes.add_class(other, "Other's class")
    headers = {**gw.auth(teacher), "X-User-ID": other}

    status, listing = await call(http, "GET", f"{gw.url}/v1/classes", headers=headers)

    assert (status, listing["items"]) == (200, [])
    assert gw.classes.seen[-1].headers["X-User-ID"] == teacher


async def test_enrol_and_unenrol_a_student(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    class_id = gw.classes.add_class(teacher)
    student_id = gw.classes.add_student(teacher, "Åsa", "Öberg", "asa@skola.se")
    url = f"{gw.url}/v1/classes/{class_id}/students/{student_id}"

    assert (await call(http, "PUT", url, headers=gw.auth(teacher)))[0] == 204
    assert (await call(http, "PUT", url, headers=gw.auth(teacher)))[0] == 204
    _, detail = await call(http, "GET", f"{gw.url}/v1/classes/{class_id}", headers=gw.auth(teacher))
    assert [s["first_name"] for s in detail["students"]] == ["Åsa"]
    assert (await call(http, "DELETE", url, headers=gw.auth(teacher)))[0] == 204

    assert gw.classes.classes[class_id].student_ids == []


async def test_roster_multipart_reaches_cms_byte_for_byte_as_text_csv(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    class_id = gw.classes.add_class(teacher)
    url = f"{gw.url}/v1/classes/{class_id}/roster"

    status, result = await call(
        http,
        "POST",
        url,
        data=multipart("file", UTF8_CSV),
        headers={**gw.auth(teacher), **MULTIPART},
    )

    assert status == 201, result
    assert result["created_count"] == 1
    assert (result["students"][0]["first_name"], result["students"][0]["last_name"]) == (
        "Åsa",
        "Öberg",
    )
    sent = gw.classes.seen[-1]
    assert sent.path == f"/internal/v1/classes/{class_id}/roster"
    assert sent.body == UTF8_CSV
    assert sent.headers["Content-Type"] == "text/csv"
    assert sent.headers["X-User-ID"] == teacher


async def test_roster_as_raw_csv_and_as_form_data_keeps_every_byte(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    url = f"{gw.url}/v1/classes/{gw.classes.add_class(teacher)}/roster"
    cp1252 = "first_name\tlast_name\temail\nÅsa\tÖberg\tasa@skola.se\n".encode("cp1252")
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("file", SEMICOLON_CSV, filename="klasslista.csv", content_type="text/csv")

    raw_headers = {**gw.auth(teacher), "Content-Type": "text/csv; charset=utf-8"}
    status_raw, _ = await call(http, "POST", url, data=SEMICOLON_CSV, headers=raw_headers)
    status_form, _ = await call(http, "POST", url, data=form, headers=gw.auth(teacher))
    status_cp, imported = await call(http, "POST", url, data=cp1252, headers=raw_headers)

    assert (status_raw, status_form, status_cp) == (201, 201, 201)
    assert [s.body for s in gw.classes.seen] == [SEMICOLON_CSV, SEMICOLON_CSV, cp1252]
    assert imported["students"][0]["last_name"] == "Öberg"


async def test_refused_roster_passes_cms_per_row_errors_through(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    url = f"{gw.url}/v1/classes/{gw.classes.add_class(teacher)}/roster"
    csv = b"first_name;last_name;email\nAsa;Oberg;asa@skola.se\nErik;Lind;\nSara;Berg;nope\n"
    headers = {**gw.auth(teacher), **MULTIPART}

    status, body = await call(http, "POST", url, data=multipart("file", csv), headers=headers)

    assert status == 422
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert body["error"]["service"] == "class_management_service"
    assert body["error"]["details"]["rows"] == [
        {"row": 2, "field": "email", "message": "The email is missing."},
        {"row": 3, "field": "email", "message": "The email is missing."},
    ]


async def test_oversized_roster_is_413_before_cms_is_called(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(roster_max_bytes=2000)
    teacher, _ = user_ids
    url = f"{gw.url}/v1/classes/{gw.classes.add_class(teacher)}/roster"
    big = b"first_name,last_name,email\n" + b"Asa,Oberg,asa@skola.se\n" * 200

    async def chunks() -> Any:
        for _ in range(10):
            yield b"Asa,Oberg,asa@skola.se\n" * 40

    status, declared = await call(
        http, "POST", url, data=multipart("file", big), headers={**gw.auth(teacher), **MULTIPART}
    )
    csv_headers = {**gw.auth(teacher), "Content-Type": "text/csv"}
    status_streamed, streamed = await call(http, "POST", url, data=chunks(), headers=csv_headers)

    assert (status, declared["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert declared["error"]["details"]["limit_bytes"] == 2000
    assert (status_streamed, streamed["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert gw.classes.seen == []


async def test_roster_body_refused_at_the_gateway(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    url = f"{gw.url}/v1/classes/{gw.classes.add_class(teacher)}/roster"
    auth = gw.auth(teacher)

    wrong_type = await call(http, "POST", url, json={"rows": []}, headers=auth)
    wrong_field = await call(
        http, "POST", url, data=multipart("files", UTF8_CSV), headers={**auth, **MULTIPART}
    )
    truncated = await call(
        http, "POST", url, data=multipart("file", UTF8_CSV)[:-12], headers={**auth, **MULTIPART}
    )

    assert (wrong_type[0], wrong_type[1]["error"]["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert (wrong_field[0], wrong_field[1]["error"]["details"]["field"]) == (422, "file")
    assert (truncated[0], truncated[1]["error"]["code"]) == (400, "INVALID_REQUEST")
    assert gw.classes.seen == []


async def test_roster_imports_use_the_upload_bucket(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(rate_limit_upload="1/minute", service_name="gw_" + random_id()[:8])
    teacher, _ = user_ids
    url = f"{gw.url}/v1/classes/{gw.classes.add_class(teacher)}/roster"
    headers = {**gw.auth(teacher), "Content-Type": "text/csv"}

    first, _ = await call(http, "POST", url, data=UTF8_CSV, headers=headers)
    second, refused = await call(http, "POST", url, data=UTF8_CSV, headers=headers)
    read, _ = await call(http, "GET", f"{gw.url}/v1/classes", headers=gw.auth(teacher))

    assert (first, second, read) == (201, 429, 200)
    assert refused["error"]["code"] == "RATE_LIMITED"
