"""/docs works on an isolated network: the page names no external host, and its scripts, styles and
icon come from the center itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from secops.center.app import create_app
from secops.center.open import open_center


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    ctx = open_center(tmp_path / "home")
    try:
        yield TestClient(create_app(ctx), base_url="http://127.0.0.1")
    finally:
        ctx.close()


def test_the_docs_page_names_no_external_host(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert re.findall(r"https?://[^\s\"'<>]+", page.text) == []
    assert '"validatorUrl": null' in page.text  # no badge fetched from validator.swagger.io


def test_every_asset_the_page_loads_is_served_here(client: TestClient) -> None:
    page = client.get("/docs").text
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", page)
    assert sorted(assets) == [
        "/docs/static/favicon-32x32.png",
        "/docs/static/swagger-ui-bundle.js",
        "/docs/static/swagger-ui.css",
    ]
    for url in assets:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert len(answer.content) > 500
    assert client.get("/docs/static/swagger-ui.css").headers["content-type"].startswith("text/css")
    assert b"SwaggerUIBundle" in client.get("/docs/static/swagger-ui-bundle.js").content
    assert client.get("/openapi.json").status_code == 200


def test_only_the_listed_assets_are_served(client: TestClient) -> None:
    assert client.get("/docs/static/LICENSE").status_code == 404
    assert client.get("/docs/static/..%2f__init__.py").status_code == 404
    assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN: switched off
