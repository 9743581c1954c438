"""How a page of a list is sent: the items as the JSON body (a list, as before pagination),
the total in `X-Total-Count`, the window in `X-Limit` / `X-Offset` and the next page in a
`Link: <...>; rel="next"` header."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request, Response

from api.services.views import JsonPage, Page

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


def paged(request: Request, response: Response, page: Page[T] | JsonPage) -> list[T]:
    """Sets the page's headers on `response`; the items (none for a `JsonPage`)."""
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Offset"] = str(page.offset)
    if page.limit is not None:
        response.headers["X-Limit"] = str(page.limit)
        following = page.offset + page.limit
        if following < page.total:
            url = request.url.include_query_params(offset=following, limit=page.limit)
            response.headers["Link"] = f'<{url}>; rel="next"'
    return page.items if isinstance(page, Page) else []


def json_page(request: Request, page: JsonPage) -> Response:
    """A page the service serialised itself, with the page headers."""
    headers = Response()
    paged(request, headers, page)
    return Response(page.body, media_type="application/json",
                    headers={k: v for k, v in headers.headers.items() if k != "content-length"})
