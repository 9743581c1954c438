"""How a page of a list is sent: the items as the JSON body (a list, as before pagination),
the total in `X-Total-Count`, the window in `X-Limit` / `X-Offset` and the next page in a
`Link: <...>; rel="next"` header."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import TypeAdapter

from api.services.views import Page

T = TypeVar("T")

PAGE_HEADERS: dict[str, Any] = {
    "X-Total-Count": {"description": "How many items match in all",
                      "schema": {"type": "integer"}},
    "X-Limit": {"description": "The most items this page holds", "schema": {"type": "integer"}},
    "X-Offset": {"description": "How many matching items come before this page",
                 "schema": {"type": "integer"}},
    "Link": {"description": 'The next page, `<url>; rel="next"`, while there is one',
             "schema": {"type": "string"}},
}
PAGED: dict[int | str, dict[str, Any]] = {
    200: {"description": "One page (the headers say the total and the next page)",
          "headers": PAGE_HEADERS},
}


def paged(request: Request, response: Response, page: Page[T]) -> list[T]:
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Offset"] = str(page.offset)
    if page.limit is not None:
        response.headers["X-Limit"] = str(page.limit)
        following = page.offset + page.limit
        if following < page.total:
            url = request.url.include_query_params(offset=following, limit=page.limit)
            response.headers["Link"] = f'<{url}>; rel="next"'
    return page.items


_adapters: dict[type[Any], TypeAdapter[list[Any]]] = {}


def _list_of(model: type[Any]) -> TypeAdapter[list[Any]]:
    adapter = _adapters.get(model)
    if adapter is None:
        adapter = _adapters[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return adapter


def paged_json(request: Request, page: Page[T], model: type[T]) -> Response:
    """The page as a finished JSON response, serialised once from the service's views.
    (Returning the list instead makes FastAPI dump, validate and dump it again against the
    route's `response_model`, which stays for the document: most of a long list's cost.)"""
    headers = Response()
    paged(request, headers, page)
    return Response(_list_of(model).dump_json(page.items), media_type="application/json",
                    headers={k: v for k, v in headers.headers.items() if k != "content-length"})
