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
