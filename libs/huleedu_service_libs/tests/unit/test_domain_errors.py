"""domain_errors_from: a service's exception mapping as the decorator of its views."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import structlog
from dishka import FromDishka, Provider, Scope, make_async_container, provide
from quart import Blueprint, Quart
from quart.typing import TestClientProtocol as QuartClient

from common_core.errors import ErrorCode
from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.errors import HuleEduError, domain_errors_from
from huleedu_service_libs.http import create_quart_app
from huleedu_testing import random_suffix

pytestmark = pytest.mark.unit


class ThingNotFound(Exception):
    """A domain exception the mapping below knows."""

    def __init__(self, thing_id: str) -> None:
        super().__init__(thing_id)
        self.thing_id = thing_id


class Unrelated(Exception):
    """A domain exception the mapping below does not know."""


def to_http_error(exc: Exception) -> HuleEduError | None:
    """The mapping a service's api/errors.py would hold."""
    if isinstance(exc, ThingNotFound):
        return HuleEduError(
            ErrorCode.NOT_FOUND, "Thing not found.", details={"thing_id": exc.thing_id}
        )
    if isinstance(exc, HuleEduError):
        return exc
    return None


domain_errors = domain_errors_from(to_http_error)


def _raising(exc: BaseException) -> Any:
    @domain_errors
    async def view() -> str:
        raise exc

    return view


class TestTranslation:
    async def test_mapped_exception_is_raised_as_the_mapped_error_from_the_original(self) -> None:
        original = ThingNotFound("t-1")
        with pytest.raises(HuleEduError) as caught:
            await _raising(original)()
        assert caught.value.code is ErrorCode.NOT_FOUND
        assert caught.value.details == {"thing_id": "t-1"}
        assert caught.value.__cause__ is original

    async def test_unmapped_exception_is_reraised_unchanged(self) -> None:
        original = Unrelated("boom")
        with pytest.raises(Unrelated) as caught:
            await _raising(original)()
        assert caught.value is original
        assert caught.value.__cause__ is None

    async def test_an_error_mapped_to_itself_is_not_chained_to_itself(self) -> None:
        original = HuleEduError(ErrorCode.CONFLICT, "taken")
        with pytest.raises(HuleEduError) as caught:
            await _raising(original)()
        assert caught.value is original
        assert caught.value.__cause__ is None

    async def test_cancellation_is_never_offered_to_the_mapping(self) -> None:
        seen: list[BaseException] = []

        def recording(exc: Exception) -> HuleEduError | None:
            seen.append(exc)
            return None

        @domain_errors_from(recording)
        async def view() -> None:
            raise asyncio.CancelledError

        with pytest.raises(asyncio.CancelledError):
            await view()
        assert seen == []

    async def test_the_views_result_and_arguments_pass_through(self) -> None:
        @domain_errors
        async def view(thing_id: str, *, suffix: str) -> str:
            return thing_id + suffix

        assert await view("t-1", suffix="!") == "t-1!"


class TestWrapping:
    def test_name_doc_and_signature_are_the_views(self) -> None:
        async def get_thing(thing_id: str, limit: int = 10) -> dict[str, Any]:
            """The thing."""
            return {}

        wrapped = domain_errors(get_thing)
        assert wrapped.__name__ == "get_thing"
        assert wrapped.__qualname__ == get_thing.__qualname__
        assert wrapped.__doc__ == "The thing."
        assert wrapped.__module__ == get_thing.__module__
        assert inspect.signature(wrapped) == inspect.signature(get_thing)
        assert inspect.iscoroutinefunction(wrapped)


class Greeter:
    def greet(self, name: str) -> str:
        return f"hello {name}"


class GreeterProvider(Provider):
    @provide(scope=Scope.REQUEST)
    def greeter(self) -> Greeter:
        return Greeter()


def _blueprint() -> Blueprint:
    bp = Blueprint("things", __name__)

    # Two decorated views on one blueprint: their endpoints must stay apart (not "wrapper").
    @bp.get("/v1/things/<thing_id>")
    @domain_errors
    async def get_thing(thing_id: str, greeter: FromDishka[Greeter]) -> dict[str, Any]:
        if thing_id == "missing":
            raise ThingNotFound(thing_id)
        return {"greeting": greeter.greet(thing_id)}

    @bp.get("/v1/broken")
    @domain_errors
    async def broken() -> dict[str, Any]:
        raise Unrelated("password=hunter2")

    return bp


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


@pytest.fixture
def app() -> Quart:
    settings = ServiceSettings(service_name=f"domain-errors-{random_suffix()}")
    return create_quart_app(
        settings, make_async_container(GreeterProvider()), blueprints=[_blueprint()]
    )


@pytest.fixture
async def client(app: Quart) -> AsyncIterator[QuartClient]:
    async with app.test_app() as test_app:
        yield test_app.test_client()


class TestInAQuartApp:
    def test_endpoints_are_named_after_the_views(self, app: Quart) -> None:
        assert {"things.get_thing", "things.broken"} <= set(app.view_functions)

    async def test_route_parameters_and_injection_reach_the_view(self, client: QuartClient) -> None:
        response = await client.get("/v1/things/t-1")
        assert response.status_code == 200
        assert await response.get_json() == {"greeting": "hello t-1"}

    async def test_mapped_exception_answers_the_shared_error_body(
        self, client: QuartClient
    ) -> None:
        response = await client.get("/v1/things/missing", headers={"X-Correlation-ID": "cid-d"})
        assert response.status_code == 404
        error = (await response.get_json())["error"]
        assert error["code"] == "NOT_FOUND"
        assert error["details"] == {"thing_id": "missing"}
        assert error["correlation_id"] == "cid-d"

    async def test_unmapped_exception_answers_500_without_its_text(
        self, client: QuartClient
    ) -> None:
        response = await client.get("/v1/broken")
        assert response.status_code == 500
        assert "hunter2" not in await response.get_data(as_text=True)
