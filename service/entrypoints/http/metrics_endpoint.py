"""`/metrics` of a Podrun process (API and worker alike), in Prometheus' text format.

A scrape first pings the store (bounded by the ping's own timeout) and records the answer in
`podrun_store_up`, so "the store is unreachable from this process" is a metric like the
others, measured where it matters, without a loop of its own.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from service.entrypoints.wiring import Podrun


async def metrics_response(podrun: Podrun | None) -> Response:
    if podrun is None:
        return Response(status_code=503)
    podrun.metrics.store_up.set(1.0 if await podrun.ping() else 0.0)
    return Response(generate_latest(podrun.metrics.registry), media_type=CONTENT_TYPE_LATEST)
