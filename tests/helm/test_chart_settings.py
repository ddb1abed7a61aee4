"""The chart configures Podrun only through settings that exist, with values they accept."""

from __future__ import annotations

import os

import pytest

from service.settings import Settings
from tests.helm.rendering import Rendered

PREFIX = "PODRUN_"


def _podrun_env(release: Rendered) -> list[dict[str, dict]]:
    envs = []
    for _, container in release.containers():
        if container["name"] in {"api", "worker"}:
            envs.append({e["name"]: e for e in container["env"] if e["name"].startswith(PREFIX)})
    assert len(envs) == 2
    return envs


def test_every_podrun_variable_is_a_setting(release: Rendered) -> None:
    # pydantic-settings ignores unknown PODRUN_* variables: a misspelt one would do nothing.
    fields = {PREFIX + name.upper() for name in Settings.model_fields}
    for env in _podrun_env(release):
        assert set(env) - fields == set()


def test_the_rendered_values_are_accepted(
    release: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    for env in _podrun_env(release):
        for name in [n for n in os.environ if n.startswith(PREFIX)]:
            monkeypatch.delenv(name)
        for name, item in env.items():
            # Values from Secrets are stand-ins of the right shape.
            value = item.get("value", "x" * 64 if "SECRET" in name else "mongodb://db/")
            monkeypatch.setenv(name, value)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.backend == "kubernetes"
        assert settings.auth_anonymous is False
        assert settings.graphiql is False
        assert settings.graphql_introspection is False
        assert settings.k8s_namespace == "podrun-sandboxes"
        assert settings.k8s_images


def test_warm_pods_reach_the_worker_as_a_json_map(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helm.rendering import env_of, render, schema_rejects

    release = render({"worker": {"warmPods": {"python3.12": 4}, "warmPodMaxIdleSeconds": 300}})
    worker = next(c for _, c in release.containers() if c["name"] == "worker")
    env = env_of(worker)
    monkeypatch.setenv("PODRUN_K8S_WARM_PODS", env["PODRUN_K8S_WARM_PODS"]["value"])
    monkeypatch.setenv(
        "PODRUN_K8S_WARM_POD_MAX_IDLE_SECONDS", env["PODRUN_K8S_WARM_POD_MAX_IDLE_SECONDS"]["value"]
    )
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.k8s_warm_pods == {"python3.12": 4}
    assert settings.k8s_warm_pod_max_idle_seconds == 300
    # Unset, the worker's own default applies (2 of the default runtime).
    default_worker = next(c for _, c in render().containers() if c["name"] == "worker")
    assert "PODRUN_K8S_WARM_PODS" not in env_of(default_worker)
    assert schema_rejects({"worker": {"warmPods": {"python3.12": -1}}})


def test_concurrency_and_warm_pods_must_fit_the_sandbox_quota() -> None:
    from tests.helm.rendering import render

    render({"worker": {"maxConcurrency": 60, "warmPods": {"python3.11": 4}}})  # 64: fits
    with pytest.raises(Exception, match=r"exceed sandbox\.resourceQuota\.pods"):
        render({"worker": {"maxConcurrency": 60, "warmPods": {"python3.11": 5}}})
    with pytest.raises(Exception, match="warm pods"):
        render({"worker": {"maxConcurrency": 63}})  # + the default 2
