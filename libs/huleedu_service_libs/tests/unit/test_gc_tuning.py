"""gc.freeze() once a service's startup finished: Quart before-serving hooks, FastAPI lifespan."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import httpx
import pytest
from dishka import make_async_container
from fastapi import FastAPI

from huleedu_service_libs import gc_tuning
from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.http import create_quart_app, install_fastapi_support
from huleedu_testing import random_suffix


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As in a new process: nothing frozen yet, and frozen objects released afterwards."""
    gc.unfreeze()
    monkeypatch.setattr(gc_tuning, "_frozen_at_startup", False)
    yield
    gc.unfreeze()


def _settings(freeze: bool = True) -> ServiceSettings:
    return ServiceSettings(service_name=f"gc-{random_suffix()}", gc_freeze_after_startup=freeze)


async def test_a_quart_app_freezes_after_its_startup_hooks() -> None:
    frozen_during_hook: list[int] = []

    async def startup() -> None:
        frozen_during_hook.append(gc.get_freeze_count())

    app = create_quart_app(_settings(), make_async_container(), on_startup=[startup])
    async with app.test_app():
        assert gc.get_freeze_count() > 0
    assert frozen_during_hook == [0]  # the hooks ran first: what they build is frozen too


async def test_a_fastapi_app_freezes_once_its_lifespan_started() -> None:
    app = FastAPI()
    install_fastapi_support(app, _settings())
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 0
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            assert (await client.get("/healthz/live")).status_code == 200


async def test_the_setting_turns_it_off() -> None:
    app = create_quart_app(_settings(freeze=False), make_async_container())
    async with app.test_app():
        assert gc.get_freeze_count() == 0


def test_once_per_process() -> None:
    assert gc_tuning.freeze_after_startup(True)
    assert not gc_tuning.freeze_after_startup(True)  # a second app in the same process
