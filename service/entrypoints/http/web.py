"""The web client: the built assets of web/ at `/`, with index.html for client-side routes.

The client routes with the History API (`/executions/<id>`, …), so any path that is not an
asset, the API, or an operations endpoint answers index.html and survives a reload. Without
a build, `/` says how to make one instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

WEB_DIST = Path(__file__).resolve().parents[3] / "web" / "dist"

# Paths the client never routes to: a miss there is a real 404, not the app shell.
_RESERVED = ("graphql", "healthz", "metrics", "assets/")

_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Podrun</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto;
 padding: 0 1rem">
<h1>Podrun</h1>
<p>The API is running: open <a href="/graphql">GraphiQL at /graphql</a>.</p>
<p>The web client is not built yet. Build it once with</p>
<pre>bash scripts/dev.sh serve</pre>
<p>or by hand: <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this
page (no restart needed).</p>
</body></html>
"""


def _asset(dist: Path, path: str) -> Path | None:
    """The file under dist that path names, never one outside it."""
    if not path:
        return None
    candidate = (dist / path).resolve()
    if not candidate.is_relative_to(dist.resolve()) or not candidate.is_file():
        return None
    return candidate


def mount_web(app: FastAPI, dist: Path = WEB_DIST) -> None:
    """Serve the client from dist; add this after every other route (it catches the rest)."""

    @app.get("/{path:path}", include_in_schema=False)
    async def web(path: str) -> Response:
        index = dist / "index.html"
        asset = _asset(dist, path)
        if asset is not None:
            # Vite puts a content hash in every asset name: cache those for good.
            immutable = path.startswith("assets/")
            headers = {"Cache-Control": "public, max-age=31536000, immutable"} if immutable else {}
            return FileResponse(asset, headers=headers)
        if path.startswith(_RESERVED) or "." in path.rsplit("/", 1)[-1]:
            return Response("not found", status_code=404, media_type="text/plain")
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT)
        # The shell must be re-read after a rebuild, or it would name assets that are gone.
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
