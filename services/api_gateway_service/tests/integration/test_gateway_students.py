"""Students, essay authors, ownership, outages and docs of the Class Management routes."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from yarl import URL

from huleedu_testing import random_id
from huleedu_testing.gateway.harness import Gateway, GatewayFactory, call
from huleedu_testing.gateway.stub_class_batches import StubClassBatch


async def test_student_lifecycle_with_class_filter_and_export(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    auth = gw.auth(teacher)
    class_id = gw.classes.add_class(teacher)
    gw.classes.add_student(teacher, "Erik", "Lind", "erik@skola.se")  # in no class
    body = {"first_name": "Åsa", "last_name": "Öberg", "email": "asa@skola.se"}

    status, created = await call(
        http, "POST", f"{gw.url}/v1/students", json={**body, "class_ids": [class_id]}, headers=auth
    )
    assert status == 201, created
    url = f"{gw.url}/v1/students/{created['student_id']}"
    status, in_class = await call(
        http, "GET", f"{gw.url}/v1/students?class_id={class_id}&limit=10", headers=auth
    )
    assert (status, [s["email"] for s in in_class["items"]]) == (200, ["asa@skola.se"])
    status, everyone = await call(http, "GET", f"{gw.url}/v1/students", headers=auth)
    assert everyone["total"] == 2
    status, fixed = await call(http, "PATCH", url, json={"email": "asa.o@skola.se"}, headers=auth)
    assert (status, fixed["email"], fixed["first_name"]) == (200, "asa.o@skola.se", "Åsa")
    status, read = await call(http, "GET", url, headers=auth)
    assert (status, read["class_ids"]) == (200, [class_id])
    status, export = await call(http, "GET", f"{url}/export", headers=auth)
    assert (status, export["student"]["student_id"]) == (200, created["student_id"])
    assert [c["class_id"] for c in export["classes"]] == [class_id]
    assert (await call(http, "DELETE", url, headers=auth))[0] == 204
    status, erased = await call(http, "GET", url, headers=auth)
    assert (status, erased["error"]["code"]) == (404, "STUDENT_NOT_FOUND")

    posted = next(s for s in gw.classes.seen if s.method == "POST")
    patched = next(s for s in gw.classes.seen if s.method == "PATCH")
    assert json.loads(posted.body) == {**body, "class_ids": [class_id]}
    assert json.loads(patched.body) == {"email": "asa.o@skola.se"}


async def test_erasure_passes_the_teachers_choice_for_the_essays(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    keep = gw.classes.add_student(teacher, "Åsa", "Öberg", "asa@skola.se")
    default = gw.classes.add_student(teacher, "Erik", "Lind", "erik@skola.se")
    auth = gw.auth(teacher)

    status, refused = await call(
        http, "DELETE", f"{gw.url}/v1/students/{keep}?essays=shred", headers=auth
    )
    assert (status, refused["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert gw.classes.erased_with == {}  # refused before Class Management was asked
    assert (await call(http, "DELETE", f"{gw.url}/v1/students/{keep}?essays=keep", headers=auth))[
        0
    ] == 204
    assert (await call(http, "DELETE", f"{gw.url}/v1/students/{default}", headers=auth))[0] == 204

    assert gw.classes.erased_with == {keep: "keep", default: "delete"}


async def test_associations_read_and_confirm(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    batch_id = random_id()
    gw.classes.class_batches[batch_id] = StubClassBatch(
        teacher, random_id(), suggestions={"essay-1": "student-1", "essay-2": None}
    )
    url = f"{gw.url}/v1/batches/{batch_id}/associations"
    confirm = {"confirmations": [{"essay_id": "essay-2", "student_id": "student-2"}]}

    status, pending = await call(http, "GET", url, headers=gw.auth(teacher))
    assert (status, pending["status"]) == (200, "pending_validation")
    status, partly = await call(
        http, "POST", f"{url}/confirm", json=confirm, headers=gw.auth(teacher)
    )
    assert (status, partly["status"]) == (200, "pending_validation")
    status, done = await call(
        http,
        "POST",
        f"{url}/confirm",
        json={"accept_suggestions": True},
        headers=gw.auth(teacher),
    )

    assert (status, done["status"]) == (200, "confirmed")
    authors = {a["essay_id"]: a["student_id"] for a in done["associations"]}
    assert authors == {"essay-1": "student-1", "essay-2": "student-2"}
    assert json.loads(gw.classes.seen[1].body) == confirm
    assert json.loads(gw.classes.seen[2].body) == {"accept_suggestions": True}


def _cms_routes(class_id: str, student_id: str, batch_id: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/v1/classes/{class_id}", None),
        ("PATCH", f"/v1/classes/{class_id}", {"name": "x"}),
        ("DELETE", f"/v1/classes/{class_id}", None),
        ("PUT", f"/v1/classes/{class_id}/students/{student_id}", None),
        ("DELETE", f"/v1/classes/{class_id}/students/{student_id}", None),
        ("GET", f"/v1/students?class_id={class_id}", None),
        ("GET", f"/v1/students/{student_id}", None),
        ("PATCH", f"/v1/students/{student_id}", {"last_name": "x"}),
        ("DELETE", f"/v1/students/{student_id}", None),
        ("GET", f"/v1/students/{student_id}/export", None),
        ("GET", f"/v1/batches/{batch_id}/associations", None),
        ("POST", f"/v1/batches/{batch_id}/associations/confirm", {"accept_suggestions": True}),
    ]


def _without_ids(body: dict[str, Any], *ids: str) -> str:
    error = dict(body["error"])
    error.pop("correlation_id")
    text = json.dumps(error, sort_keys=True)
    for value in ids:
        text = text.replace(value, "<id>")
    return text


async def test_foreign_and_missing_ids_answer_identical_404s(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    owner, stranger = user_ids
    class_id = gw.classes.add_class(owner)
    student_id = gw.classes.add_student(owner, "Åsa", "Öberg", "asa@skola.se")
    gw.classes.classes[class_id].student_ids.append(student_id)
    batch_id = random_id()
    gw.classes.class_batches[batch_id] = StubClassBatch(owner, class_id, {"e-1": student_id})
    foreign = (class_id, student_id, batch_id)
    missing = (random_id(), random_id(), random_id())

    for (method, path, body), (_, other, _) in zip(
        _cms_routes(*foreign), _cms_routes(*missing), strict=True
    ):
        ours = await call(http, method, gw.url + path, json=body, headers=gw.auth(stranger))
        theirs = await call(http, method, gw.url + other, json=body, headers=gw.auth(stranger))
        assert ours[0] == theirs[0] == 404, (method, path, ours)
        assert _without_ids(ours[1], *foreign) == _without_ids(theirs[1], *missing), path

    assert gw.classes.classes[class_id].student_ids == [student_id]  # nothing changed


async def test_every_route_needs_a_token(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()
    routes = [
        *_cms_routes(random_id(), random_id(), random_id()),
        ("GET", "/v1/courses", None),
        ("GET", "/v1/classes", None),
        ("POST", "/v1/classes", {"name": "9A", "course_code": "SV1"}),
        ("POST", f"/v1/classes/{random_id()}/roster", None),
        ("POST", "/v1/students", {"first_name": "a", "last_name": "b", "email": "a@b.se"}),
    ]

    for method, path, body in routes:
        status, answer = await call(http, method, gw.url + path, json=body)
        assert (status, answer["error"]["code"]) == (401, "UNAUTHORIZED"), (method, path)

    assert gw.classes.seen == []


async def test_strict_bodies_and_bad_ids_are_422_at_the_gateway(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()
    auth = gw.auth(random_id())
    bad_bodies = [
        ("POST", "/v1/classes", {"name": "9A", "course_code": "SV1", "teacher": "x"}),
        ("PATCH", f"/v1/classes/{random_id()}", {"title": "9B"}),
        ("POST", "/v1/students", {"first_name": "a", "last_name": "b", "email": "a@b.se", "x": 1}),
        ("PATCH", f"/v1/students/{random_id()}", {"email": "a@b.se", "user_id": "me"}),
        ("POST", f"/v1/batches/{random_id()}/associations/confirm", {"accept": True}),
        ("POST", "/v1/classes", {"name": "", "course_code": "SV1"}),
    ]
    bad_ids = [
        ("GET", "/v1/classes/%2E%2E"),
        ("PUT", f"/v1/classes/{random_id()}/students/a%00b"),
        ("GET", "/v1/students/-x/export"),
        ("GET", "/v1/students?class_id=a%20b"),
        ("GET", "/v1/batches/%2E/associations"),
        ("GET", "/v1/classes?limit=0"),
    ]

    for method, path, body in bad_bodies:
        status, answer = await call(http, method, gw.url + path, json=body, headers=auth)
        assert (status, answer["error"]["code"]) == (422, "VALIDATION_ERROR"), path
    for method, path in bad_ids:
        url = URL(gw.url + path, encoded=True)
        status, answer = await call(http, method, url, headers=auth)
        assert (status, answer["error"]["code"]) == (422, "VALIDATION_ERROR"), path

    assert gw.classes.seen == []


@pytest.mark.parametrize("outage", ["stopped", "server_error"])
async def test_cms_outage_is_503_or_502_and_leaves_healthz_alone(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    user_ids: tuple[str, str],
    outage: str,
) -> None:
    gw: Gateway = await gateway_factory(breaker_fail_max=2, breaker_reset_seconds=60)
    teacher, _ = user_ids
    if outage == "stopped":
        await gw.classes.stop()
    else:
        gw.classes.fail_with = 500

    reasons = []
    for method, path, body in [
        ("GET", "/v1/classes", None),
        ("POST", "/v1/classes", {"name": "9A", "course_code": "SV1"}),
        ("GET", f"/v1/batches/{random_id()}/associations", None),
    ]:
        async with http.request(method, gw.url + path, json=body, headers=gw.auth(teacher)) as r:
            answer = await r.json()
            status, retry_after = r.status, r.headers.get("Retry-After")
        details = answer["error"]["details"]
        assert details["service"] == "class_management_service"
        assert "internal error" not in json.dumps(answer)
        reasons.append((status, details.get("reason"), retry_after is not None))
    async with http.get(f"{gw.url}/healthz") as r:
        health = await r.json()

    if outage == "stopped":
        assert reasons == [
            (503, "unreachable", True),
            (503, "unreachable", True),
            (503, "circuit_open", True),
        ]
    else:  # two 500s open the breaker too: then CMS is not even asked
        assert reasons == [(502, None, False), (502, None, False), (503, "circuit_open", True)]
        assert len(gw.classes.seen) == 2
    assert r.status == 200
    assert not any("class" in name for name in health["checks"])


async def test_roster_to_a_stopped_cms_is_503(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    await gw.classes.stop()
    headers = {**gw.auth(teacher), "Content-Type": "text/csv"}

    async with http.post(
        f"{gw.url}/v1/classes/{random_id()}/roster", data=b"email\na@b.se\n", headers=headers
    ) as r:
        assert r.status == 503
        assert (await r.json())["error"]["details"]["reason"] == "unreachable"


async def test_openapi_documents_the_class_routes(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()
    async with http.get(f"{gw.url}/openapi.json") as r:
        spec = await r.json()
    paths, schemas = spec["paths"], spec["components"]["schemas"]
    expected = {
        ("/v1/courses", "get"): ("200", "CourseListV1"),
        ("/v1/classes", "get"): ("200", "ClassListV1"),
        ("/v1/classes", "post"): ("201", "ClassV1"),
        ("/v1/classes/{class_id}", "get"): ("200", "ClassDetailV1"),
        ("/v1/classes/{class_id}", "patch"): ("200", "ClassV1"),
        ("/v1/classes/{class_id}", "delete"): ("204", None),
        ("/v1/classes/{class_id}/students/{student_id}", "put"): ("204", None),
        ("/v1/classes/{class_id}/students/{student_id}", "delete"): ("204", None),
        ("/v1/classes/{class_id}/roster", "post"): ("201", "RosterImportResultV1"),
        ("/v1/students", "get"): ("200", "StudentListV1"),
        ("/v1/students", "post"): ("201", "StudentV1"),
        ("/v1/students/{student_id}", "get"): ("200", "StudentV1"),
        ("/v1/students/{student_id}", "patch"): ("200", "StudentV1"),
        ("/v1/students/{student_id}", "delete"): ("204", None),
        ("/v1/students/{student_id}/export", "get"): ("200", "StudentExportV1"),
        ("/v1/batches/{batch_id}/associations", "get"): ("200", "BatchAssociationsV1"),
        ("/v1/batches/{batch_id}/associations/confirm", "post"): ("200", "BatchAssociationsV1"),
    }
    for (path, method), (success, model) in expected.items():
        operation = paths[path][method]
        assert operation["security"] == [{"HTTPBearer": []}], path
        if model is not None:
            schema = operation["responses"][success]["content"]["application/json"]["schema"]
            assert schema == {"$ref": f"#/components/schemas/{model}"}, (path, method)
        else:
            assert "content" not in operation["responses"][success], (path, method)
        for status in ("401", "422", "429", "502", "503"):
            error = operation["responses"][status]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorBody"}, (path, method, status)
    for path, model in [
        ("/v1/classes", "ClassCreateV1"),
        ("/v1/students", "StudentCreateV1"),
        ("/v1/batches/{batch_id}/associations/confirm", "AssociationsConfirmV1"),
    ]:
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{model}"}
    assert schemas["ClassCreateV1"]["additionalProperties"] is False
    roster = paths["/v1/classes/{class_id}/roster"]["post"]
    assert set(roster["requestBody"]["content"]) == {"multipart/form-data", "text/csv"}
    assert {"404", "413", "415"} <= set(roster["responses"])
    assert "404" in paths["/v1/students/{student_id}"]["get"]["responses"]
