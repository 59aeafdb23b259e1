"""Route tables: endpoints declared once at module level, bound to each app's limits and DI.

The rate limits are per app (their rates come from settings), so an endpoint cannot be
declared with them where it is defined. A table records each endpoint with its limit class;
`router(limits)` adds every endpoint to a fresh router with that app's limit as a route
dependency, wrapped in Dishka's injection (so `FromDishka[...]` parameters come from the app's
container).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from inspect import Signature, signature
from typing import Any, TypeVar, get_type_hints

from dishka.integrations.fastapi import inject
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from api_gateway_service.body_limit import limits_own_body
from api_gateway_service.rate_limit import LimitKind, RouteLimits

__all__ = ["RouteTable"]

F = TypeVar("F", bound=Callable[..., Any])


def _with_return_type(injected: F, declared: Callable[..., Any]) -> F:
    """`injected` with `declared`'s return annotation resolved.

    Dishka keeps the annotation as written (a string, under postponed evaluation), and FastAPI
    would resolve it in Dishka's namespace, not the endpoint's: no model inferred, or none found.
    """
    returns = get_type_hints(declared, include_extras=True).get("return", Signature.empty)
    injected.__signature__ = signature(injected).replace(  # type: ignore[attr-defined]
        return_annotation=returns
    )
    return injected


def _serialized_once(endpoint: F, model: type[BaseModel]) -> F:
    """`endpoint`, answering an instance of exactly `model` with its JSON as it is.

    FastAPI serializes a returned model to Python data and encodes that with the json module;
    for an instance of exactly the response model, pydantic writes the same JSON directly (by
    alias, as FastAPI does), at about half the CPU for a roster of 32. Anything else (a
    subclass, whose extra fields FastAPI filters out; a Response; None) takes FastAPI's way.
    """
    call: Callable[..., Awaitable[Any]] = endpoint

    @functools.wraps(endpoint)
    async def serve(*args: Any, **kwargs: Any) -> Any:
        answer = await call(*args, **kwargs)
        if type(answer) is model:
            return Response(answer.model_dump_json(by_alias=True), media_type="application/json")
        return answer

    return serve  # type: ignore[return-value]


def _answers_a_model(entry: _Entry) -> type[BaseModel] | None:
    """The response model of a read whose answer FastAPI would only re-validate and encode."""
    model = entry.options.get("response_model")
    plain = not any(k.startswith("response_model_") for k in entry.options)
    if entry.method != "GET" or not plain or not isinstance(model, type):
        return None
    # An endpoint that sets headers on FastAPI's sub-response needs FastAPI's own answer.
    parameters = signature(entry.endpoint).parameters.values()
    takes_response = any(p.annotation in (Response, "Response") for p in parameters)
    return model if issubclass(model, BaseModel) and not takes_response else None


@dataclass(frozen=True)
class _Entry:
    path: str
    method: str
    endpoint: Callable[..., Any]
    limit: LimitKind | None
    own_body: bool
    options: dict[str, Any]


@dataclass
class RouteTable:
    """The endpoints of one router (prefix and tags), in declaration order."""

    prefix: str
    tags: list[str]
    _entries: list[_Entry] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        limit: LimitKind | None,
        own_body: bool = False,
        **options: Any,
    ) -> Callable[[F], F]:
        """Declare the decorated endpoint; `own_body` marks one that reads its body itself."""

        def declare(endpoint: F) -> F:
            self._entries.append(_Entry(path, method, endpoint, limit, own_body, options))
            return endpoint

        return declare

    def get(self, path: str, *, limit: LimitKind | None, **options: Any) -> Callable[[F], F]:
        """Declare a GET endpoint."""
        return self.route("GET", path, limit=limit, **options)

    def post(
        self, path: str, *, limit: LimitKind | None, own_body: bool = False, **options: Any
    ) -> Callable[[F], F]:
        """Declare a POST endpoint."""
        return self.route("POST", path, limit=limit, own_body=own_body, **options)

    def put(self, path: str, *, limit: LimitKind | None, **options: Any) -> Callable[[F], F]:
        """Declare a PUT endpoint."""
        return self.route("PUT", path, limit=limit, **options)

    def patch(self, path: str, *, limit: LimitKind | None, **options: Any) -> Callable[[F], F]:
        """Declare a PATCH endpoint."""
        return self.route("PATCH", path, limit=limit, **options)

    def delete(self, path: str, *, limit: LimitKind | None, **options: Any) -> Callable[[F], F]:
        """Declare a DELETE endpoint."""
        return self.route("DELETE", path, limit=limit, **options)

    def router(self, limits: RouteLimits) -> APIRouter:
        """A new router with every endpoint under `limits` and resolved from the container."""
        router = APIRouter(prefix=self.prefix, tags=list(self.tags))
        for entry in self._entries:
            endpoint = _with_return_type(inject(entry.endpoint), entry.endpoint)
            model = _answers_a_model(entry)
            if model is not None:
                endpoint = _serialized_once(endpoint, model)
            if entry.own_body:
                # Marked last: the body-limit middleware looks at the route's final endpoint.
                endpoint = limits_own_body(endpoint)
            options = dict(entry.options)
            if entry.limit is not None:
                # Counted once the caller is authenticated, before the endpoint runs.
                limit = Depends(limits.of(entry.limit))
                options["dependencies"] = [limit, *options.get("dependencies", [])]
            router.add_api_route(entry.path, endpoint, methods=[entry.method], **options)
        return router
