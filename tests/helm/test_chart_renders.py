"""The chart lints clean and renders objects the Kubernetes API accepts, for both value sets."""

from __future__ import annotations

import pytest

from tests.helm.rendering import (
    KUBE_VERSION,
    PRODUCTION_VALUES,
    Rendered,
    lint,
    render,
    schema_rejects,
)

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate (dev extra) is not installed"
)


@pytest.mark.parametrize("namespace", ["podrun", None], ids=["namespaced", "no-namespace"])
@pytest.mark.parametrize("values", [None, PRODUCTION_VALUES], ids=["default", "production"])
def test_lints_clean(values: dict | None, namespace: str | None) -> None:
    report = lint(values, namespace=namespace)
    assert report["errors"] == []
    # Nothing but the cosmetic "icon is recommended" notice (severity 1 = info).
    findings = [m for m in report["messages"] if m["severity"] >= 2]
    assert findings == []
    assert {m["error"] for m in report["messages"]} <= {"icon is recommended"}


def test_every_object_is_valid_for_the_kubernetes_api(release: Rendered) -> None:
    assert release.objects
    for obj in release.objects:
        # strict: unknown fields are errors too (a typo would be silently dropped otherwise).
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def test_default_release_has_the_expected_objects(default_release: Rendered) -> None:
    kinds = {(o["kind"], o["metadata"]["name"]) for o in default_release.objects}
    assert kinds == {
        ("Deployment", "podrun-api"),
        ("Deployment", "podrun-worker"),
        ("Service", "podrun"),
        ("HorizontalPodAutoscaler", "podrun-api"),
        ("PodDisruptionBudget", "podrun-api"),
        ("PodDisruptionBudget", "podrun-worker"),
        ("ServiceAccount", "podrun"),
        ("Role", "podrun-sandboxes"),
        ("RoleBinding", "podrun-sandboxes"),
        ("Role", "podrun-leader-election"),
        ("RoleBinding", "podrun-leader-election"),
        ("Namespace", "podrun-sandboxes"),
        ("NetworkPolicy", "podrun-sandbox-default-deny"),
        ("ResourceQuota", "podrun-sandboxes"),
        ("LimitRange", "podrun-sandboxes"),
        ("Secret", "podrun-auth"),
        ("Secret", "podrun-mongodb-uri"),
        ("Service", "podrun-mongodb-headless"),
        ("StatefulSet", "podrun-mongodb"),
        ("NetworkPolicy", "podrun-mongodb"),
    }


def test_every_namespaced_object_says_where_it_goes(release: Rendered) -> None:
    for obj in release.objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") in {"podrun", "podrun-sandboxes"}, obj


def test_notes_tell_how_to_reach_the_api(
    default_release: Rendered, production_release: Rendered
) -> None:
    assert "port-forward service/podrun 8000:80" in default_release.notes
    assert "anonymous access is off" in default_release.notes
    assert "runtimeClassName is empty" in default_release.notes
    assert "https://podrun.example.com/graphql" in production_release.notes
    assert "runtimeClassName is empty" not in production_release.notes


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"containerSecurityContext": {"readOnlyRootFilesystem": False}}, "readOnlyRootFilesystem"),
        (
            {"containerSecurityContext": {"allowPrivilegeEscalation": True}},
            "allowPrivilegeEscalation",
        ),
        ({"containerSecurityContext": {"privileged": True}}, "privileged"),
        ({"podSecurityContext": {"runAsNonRoot": False}}, "runAsNonRoot"),
        ({"api": {"resources": {"limits": {"memory": None}}}}, "memory"),
        ({"worker": {"replicas": 0}}, "replicas"),
        ({"mongodb": {"external": {"uri": "postgres://x"}}}, "uri"),
        ({"no_such_key": 1}, "no_such_key"),
        ({"auth": {"jwtSecret": "too-short"}}, "jwtSecret"),
    ],
)
def test_schema_rejects_insecure_or_invalid_values(values: dict, complaint: str) -> None:
    message = schema_rejects(values)
    assert message is not None
    assert complaint in message


def test_external_mongodb_needs_a_uri() -> None:
    with pytest.raises(Exception, match=r"mongodb\.external\.uri"):
        render({"mongodb": {"internal": {"enabled": False}}})
