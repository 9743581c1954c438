"""The API's documentation pages, served from installed files (no CDN): Swagger UI at `/docs`
and ReDoc at `/redoc`, their scripts and styles from the `fastapi-offline` package's folder,
and no inline script (the pages run under a `script-src 'self'` Content-Security-Policy)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC_URL = "/docs/static"
STATIC_DIR = Path(str(files("fastapi_offline") / "static"))

# what the documentation pages may load: our own scripts, styles and the OpenAPI document;
# ReDoc runs its search in a blob: worker
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

_SWAGGER_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
  });
});
"""

_SWAGGER_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>stratforge API</title>
<link rel="icon" href="{STATIC_URL}/favicon.png">
<link rel="stylesheet" href="{STATIC_URL}/swagger-ui.css">
</head><body>
<div id="swagger-ui"></div>
<script src="{STATIC_URL}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>
"""

_REDOC_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>stratforge API</title>
<link rel="icon" href="{STATIC_URL}/favicon.png">
</head><body>
<redoc spec-url="/openapi.json"></redoc>
<script src="{STATIC_URL}/redoc.standalone.js"></script>
</body></html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(_SWAGGER_PAGE, headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/docs/init.js")
def swagger_init() -> Response:
    return Response(_SWAGGER_INIT, media_type="text/javascript")


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return HTMLResponse(_REDOC_PAGE, headers={"Content-Security-Policy": DOCS_CSP})


def static_files() -> StaticFiles:
    """The installed Swagger UI / ReDoc files, mounted at `STATIC_URL`."""
    return StaticFiles(directory=STATIC_DIR)
