"""The API documentation page (``/docs``, Swagger UI) served entirely by the center itself.

FastAPI's default page loads Swagger UI from a public CDN, which leaves it blank on a network
without Internet access (a province's isolated network is the normal case). The assets are
vendored here unchanged from the ``swagger-ui-dist`` npm package (Apache-2.0; LICENSE and NOTICE
beside them) and the page points at them. Swagger UI's online validator badge is turned off too.
"""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

SWAGGER_UI_VERSION = "5.36.0"
STATIC = Path(__file__).parent / "static"
PREFIX = "/docs/static"
ASSETS = {  # file name -> media type; nothing else in the folder is served
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


@functools.cache
def _asset(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def install_docs(app: FastAPI, path: str = "/docs") -> None:
    """Serve Swagger UI at ``path`` with its scripts, styles and icon from ``/docs/static``
    (the app must be created with ``docs_url=None`` and ``redoc_url=None``)."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} - API"

    @app.get(path, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/favicon-32x32.png",
            oauth2_redirect_url=None,
            swagger_ui_parameters={"validatorUrl": None},  # no request to validator.swagger.io
        )

    @app.get(PREFIX + "/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise HTTPException(status_code=404)
        return Response(
            _asset(name),
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )
