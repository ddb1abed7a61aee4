"""The service image and the chart agree: non-root uid, multi-stage build, runner images."""

from __future__ import annotations

import json
import re
from pathlib import Path

from service.adapters.sandbox.kubernetes.config import DEFAULT_IMAGES, SANDBOX_UID
from tests.helm.rendering import CHART, Rendered

REPO = CHART.parents[1]


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def test_service_image_is_multi_stage_slim_and_non_root(default_release: Rendered) -> None:
    instructions = _instructions((REPO / "Dockerfile").read_text())
    stages = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert len(stages) == 3
    assert any(s.startswith("node:") and s.endswith("AS web") for s in stages)
    assert stages[-1].startswith("python:") and "-slim" in stages[-1]
    final = instructions[max(i for i, (k, _) in enumerate(instructions) if k == "FROM") :]
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users == ["10001:10001"]
    # The chart runs the image as exactly that uid and gid.
    pod = default_release.get("Deployment", "podrun-api")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["runAsGroup"] == 10001
    copied = " ".join(rest for keyword, rest in final if keyword == "COPY")
    assert "--from=build" in copied
    assert ("ENTRYPOINT", '["podrun"]') in final


def test_build_context_leaves_out_local_state() -> None:
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert ignored[ignored.index("*") + 1 :]  # everything is ignored, then allow-listed
    assert "web/node_modules" in ignored
    assert "!service/" in ignored


def test_chart_offers_the_runner_images_the_backend_knows(default_release: Rendered) -> None:
    worker = default_release.get("Deployment", "podrun-worker")
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert json.loads(env["PODRUN_K8S_IMAGES"]) == dict(DEFAULT_IMAGES)
    runner = (REPO / "sandbox" / "Dockerfile").read_text()
    assert f"USER {SANDBOX_UID}:{SANDBOX_UID}" in runner


def test_image_puts_the_web_client_where_the_app_serves_it_from() -> None:
    import service
    from service.entrypoints.http.web import WEB_DIST

    # Installed, the package sits in site-packages: web/dist must be its sibling there.
    assert Path(service.__file__).resolve().parents[1] / "web" / "dist" == WEB_DIST
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "COPY --from=web /src/web/dist" in dockerfile
    assert '"$site/web/dist"' in dockerfile
