"""`GET /executions/{id}/files/{blob}`: a file of an execution, for its owner or an admin;
`GET /workspaces/{id}/files/{blob}`: a file of a workspace, likewise.

The same credentials as the API (`Authorization: Bearer`; an anonymous execution's files,
like the execution, for whoever holds its id), checked by the use case
(:mod:`service.services.executions.downloading`). The answer names the file
(`Content-Disposition: attachment`, RFC 6266 `filename*`), says its type as the server
chose it from the name (never sniffed: `X-Content-Type-Options: nosniff`, and a sandbox
policy so a downloaded HTML file cannot script this origin), and serves single byte ranges
(`Range: bytes=a-b`, `206`, `416`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from service.domain.accounts import Principal
from service.domain.files import StoredFile
from service.entrypoints.http.security import client_of, principal_from
from service.entrypoints.wiring import Podrun
from service.services.problems import AuthProblem, NotFound
from service.services.usecases import UseCases

_RANGE = re.compile(r"bytes=(\d*)-(\d*)\Z")


def disposition(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(first, last) of a single `Range`, None for the whole file, "unsatisfiable"."""
    if header is None:
        return None
    match = _RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None  # a form we do not serve (several ranges): the whole file, as RFC 9110 allows
    first, last = match.group(1), match.group(2)
    if first == "":
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, end


def file_response(file: StoredFile, data: bytes, request: Request) -> Response:
    """The file as a download: named, typed as the server chose, one byte range if asked."""
    headers = {
        "Content-Disposition": disposition(file.path),
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "ETag": f'"{file.sha256}"',
        "Cache-Control": "private, no-store",
    }
    wanted = byte_range(request.headers.get("range"), len(data))
    if wanted == "unsatisfiable":
        headers["Content-Range"] = f"bytes */{len(data)}"
        return Response(status_code=416, headers=headers)
    if isinstance(wanted, tuple):
        first, last = wanted
        headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
        return Response(
            data[first : last + 1],
            status_code=206,
            media_type=file.content_type,
            headers=headers,
        )
    return Response(data, media_type=file.content_type, headers=headers)


def add_file_routes(app: FastAPI, podrun: Callable[[], Podrun | None]) -> None:
    async def caller(request: Request) -> tuple[UseCases, Principal] | Response:
        """The use cases and who asks, or the answer when there is no one to serve them."""
        running = podrun()
        if running is None:
            return Response(status_code=503)
        principal = await principal_from(
            running.use_cases.accounts.auth,
            request.headers.get("authorization"),
            client_of(request),
        )
        if isinstance(principal, AuthProblem):
            return JSONResponse({"error": principal.message}, status_code=401)
        return running.use_cases, principal

    @app.get("/executions/{execution_id}/files/{blob_id}")
    async def download(execution_id: str, blob_id: str, request: Request) -> Response:
        asked = await caller(request)
        if isinstance(asked, Response):
            return asked
        use_cases, principal = asked
        if use_cases.downloads is None:
            return Response(status_code=503)
        found = await use_cases.downloads.get(execution_id, blob_id, principal)
        if isinstance(found, NotFound):
            return JSONResponse({"error": "no such file"}, status_code=404)
        return file_response(found.file, found.data, request)

    @app.get("/workspaces/{workspace_id}/files/{blob_id}")
    async def download_from_workspace(
        workspace_id: str, blob_id: str, request: Request
    ) -> Response:
        asked = await caller(request)
        if isinstance(asked, Response):
            return asked
        use_cases, principal = asked
        if use_cases.workspaces is None:
            return Response(status_code=503)
        found = await use_cases.workspaces.download(principal, workspace_id, blob_id)
        if found is None:
            return JSONResponse({"error": "no such file"}, status_code=404)
        return file_response(*found, request)
