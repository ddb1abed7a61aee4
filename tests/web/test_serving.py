"""`podrun serve` serves the client at `/` next to the API, and explains itself unbuilt."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.entrypoints.http.web import mount_web
from tests.support.servers import PodrunProcess


def test_client_routes_answer_the_app_shell(web_server: PodrunProcess, web_dist: Path) -> None:
    shell = (web_dist / "index.html").read_text()
    for path in ("/", "/executions/0123abcd", "/history"):
        response = httpx.get(web_server.url + path)
        assert response.status_code == 200, path
        assert response.text == shell, path
        assert response.headers["content-type"].startswith("text/html")


def test_assets_are_served_and_cached_for_good(web_server: PodrunProcess, web_dist: Path) -> None:
    asset = next((web_dist / "assets").glob("*.js"))
    response = httpx.get(f"{web_server.url}/assets/{asset.name}")
    assert response.status_code == 200
    assert response.content == asset.read_bytes()
    assert "immutable" in response.headers["cache-control"]
    assert httpx.get(f"{web_server.url}/assets/missing.js").status_code == 404
    assert httpx.get(f"{web_server.url}/nothing-here.png").status_code == 404


def test_api_and_operations_endpoints_are_unaffected(web_server: PodrunProcess) -> None:
    graphiql = httpx.get(f"{web_server.url}/graphql", headers={"accept": "text/html"})
    assert graphiql.status_code == 200
    assert "graphiql" in graphiql.text.lower()
    query = httpx.post(f"{web_server.url}/graphql", json={"query": "{ runtimes { id } }"})
    assert query.json()["data"]["runtimes"]
    assert httpx.get(f"{web_server.url}/healthz").json()["ok"] is True
    assert "podrun_" in httpx.get(f"{web_server.url}/metrics").text


def _client(dist: Path) -> TestClient:
    # Synchronous on purpose: the session's Playwright (sync API) keeps an event loop running
    # in this thread, so an asyncio test here could not start its own.
    app = FastAPI()
    mount_web(app, dist)
    return TestClient(app, base_url="http://podrun")


def test_without_a_build_the_root_says_how_to_build(tmp_path: Path) -> None:
    with _client(tmp_path / "dist") as client:
        response = client.get("/")
    assert response.status_code == 200
    assert "npm run build" in response.text
    assert 'href="/graphql"' in response.text


def test_files_outside_the_build_are_never_served(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>shell</title>")
    (tmp_path / "secret.txt").write_text("secret")
    with _client(dist) as client:
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"):
            assert "secret" not in client.get(path).text, path
