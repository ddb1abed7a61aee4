"""The chart's operations extras: ServiceMonitor, PrometheusRule alerts and the Grafana
dashboard, rendered and checked against each other, the workloads and the metrics Podrun
exports."""

from __future__ import annotations

import json
import re

import pytest

from service.adapters.telemetry.metrics import create_metrics
from tests.helm.rendering import NAMESPACE, Obj, Rendered, lint, render, schema_rejects

ENABLED: Obj = {
    "metrics": {
        "serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
        "prometheusRule": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
        "dashboard": {"enabled": True},
    }
}
ALERTS = {
    "PodrunQueueWaitGrowing",
    "PodrunExecutionsEndingInError",
    "PodrunWarmPoolExhausted",
    "PodrunNoLeader",
    "PodrunStoreUnavailable",
}
METRIC = re.compile(r"\b(podrun_[a-z0-9_]+)\b")


@pytest.fixture(scope="module")
def operated() -> Rendered:
    return render(ENABLED)


def exported_names() -> set[str]:
    """Every sample name Podrun's /metrics can carry (prometheus_client's suffixes)."""
    suffixes = {
        "counter": ("_total", "_created"),
        "gauge": ("",),
        "histogram": ("_bucket", "_count", "_sum", "_created"),
    }
    names: set[str] = set()
    for family in create_metrics().registry.collect():
        names.update(family.name + suffix for suffix in suffixes[family.type])
    return names


def assert_sane_promql(expr: str) -> None:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for char in re.sub(r'"[^"]*"', '""', expr):
        if char in "([{":
            stack.append(char)
        elif char in pairs:
            assert stack and stack.pop() == pairs[char], f"unbalanced: {expr}"
    assert not stack, f"unbalanced: {expr}"
    used = set(METRIC.findall(expr))
    assert used, f"no Podrun metric in {expr}"
    unknown = used - exported_names()
    assert not unknown, f"{expr} uses metrics Podrun does not export: {unknown}"


def test_nothing_is_rendered_unless_enabled(default_release: Rendered) -> None:
    for kind in ("ServiceMonitor", "PrometheusRule"):
        assert not default_release.of_kind(kind)
    assert not [
        cm
        for cm in default_release.of_kind("ConfigMap")
        if cm["metadata"]["name"].endswith("-dashboard")
    ]


def test_the_service_monitor_reaches_the_api_and_the_worker_metrics(operated: Rendered) -> None:
    monitor = operated.get("ServiceMonitor", "podrun")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    selector = monitor["spec"]["selector"]["matchLabels"]
    services = [
        s
        for s in operated.of_kind("Service")
        if selector.items() <= s["metadata"]["labels"].items()
    ]
    ports = {p["name"]: s for s in services for p in s["spec"]["ports"]}
    for endpoint in monitor["spec"]["endpoints"]:
        assert endpoint["path"] == "/metrics"
        assert endpoint["port"] in ports, endpoint
    # Each Service's pods have the port it targets: the API's http, the worker's health.
    for service in services:
        pods = [
            w
            for w in operated.workloads()
            if service["spec"]["selector"].items()
            <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert pods, service["metadata"]["name"]
        container_ports = {
            p["name"]
            for w in pods
            for c in w["spec"]["template"]["spec"]["containers"]
            for p in c.get("ports", [])
        }
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= container_ports
    assert {"api", "worker"} <= {
        s["metadata"]["labels"]["app.kubernetes.io/component"] for s in services
    }


def test_the_alerts_are_the_expected_ones_on_exported_metrics(operated: Rendered) -> None:
    rule = operated.get("PrometheusRule", "podrun")
    rules = [r for group in rule["spec"]["groups"] for r in group["rules"]]
    assert {r["alert"] for r in rules} == ALERTS
    for r in rules:
        assert r["labels"]["severity"] in {"info", "warning", "critical"}
        assert r["annotations"]["summary"] and r["annotations"]["description"]
        assert re.fullmatch(r"[0-9]+[smh]", r["for"])
        assert_sane_promql(r["expr"])
    by_name = {r["alert"]: r for r in rules}
    assert 'status="ERROR"' in by_name["PodrunExecutionsEndingInError"]["expr"]
    assert "> 30" in by_name["PodrunQueueWaitGrowing"]["expr"]


def test_the_dashboard_is_grafana_json_on_exported_metrics(operated: Rendered) -> None:
    configmap = operated.get("ConfigMap", "podrun-dashboard")
    assert configmap["metadata"]["namespace"] == NAMESPACE
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    dashboard = json.loads(configmap["data"]["podrun.json"])
    assert dashboard["uid"] and dashboard["title"] == "Podrun"
    titles = {panel["title"] for panel in dashboard["panels"]}
    for wanted in (
        "Executions by verdict",
        "Queue wait",
        "Run time",
        "Active sandboxes",
        "Warm pool: hits and misses",
        "Open subscriptions",
    ):
        assert wanted in titles
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}"
        assert panel["targets"]
        for target in panel["targets"]:
            assert_sane_promql(target["expr"])
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]


def test_the_chart_with_operations_lints_clean_and_checks_its_values() -> None:
    report = lint(ENABLED)
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []
    assert schema_rejects({"metrics": {"prometheusRule": {"errorRatio": 2}}})
    assert schema_rejects({"metrics": {"serviceMonitor": {"enabeld": True}}})
    assert (
        render({"metrics": {"dashboard": {"enabled": True, "namespace": "grafana"}}}).get(
            "ConfigMap", "podrun-dashboard"
        )["metadata"]["namespace"]
        == "grafana"
    )
