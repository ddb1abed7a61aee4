"""Every security property the chart promises, asserted on the rendered manifests."""

from __future__ import annotations

import base64

from tests.helm.rendering import SANDBOX_NAMESPACE, Obj, Rendered, env_of, render

FORBIDDEN_POD_FIELDS = ("hostNetwork", "hostPID", "hostIPC")


def _effective(workload: Obj, container: Obj, key: str) -> object:
    """A container's security setting, falling back to its pod's (as the kubelet does)."""
    own = container.get("securityContext", {})
    if key in own:
        return own[key]
    return workload["spec"]["template"]["spec"].get("securityContext", {}).get(key)


def test_every_container_is_locked_down(release: Rendered) -> None:
    seen = 0
    for workload, container in release.containers():
        seen += 1
        where = f"{workload['metadata']['name']}/{container['name']}"
        context = container.get("securityContext", {})
        assert _effective(workload, container, "runAsNonRoot") is True, where
        assert context.get("allowPrivilegeEscalation") is False, where
        assert context.get("readOnlyRootFilesystem") is True, where
        assert context.get("privileged", False) is False, where
        assert context.get("capabilities", {}).get("drop") == ["ALL"], where
        assert not context.get("capabilities", {}).get("add"), where
        assert _effective(workload, container, "seccompProfile") == {"type": "RuntimeDefault"}
        assert (_effective(workload, container, "runAsUser") or 0) > 0, where
    assert seen >= 2


def test_every_pod_is_non_root_with_runtime_default_seccomp(release: Rendered) -> None:
    for workload in release.workloads():
        spec = workload["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for field in FORBIDDEN_POD_FIELDS:
            assert not spec.get(field), (workload["metadata"]["name"], field)
        for volume in spec.get("volumes", []):
            assert "hostPath" not in volume


def test_every_container_has_requests_and_limits(release: Rendered) -> None:
    for workload, container in release.containers():
        resources = container.get("resources", {})
        where = f"{workload['metadata']['name']}/{container['name']}"
        assert {"cpu", "memory"} <= set(resources.get("requests", {})), where
        assert {"cpu", "memory"} <= set(resources.get("limits", {})), where


def test_writable_scratch_space_is_bounded(release: Rendered) -> None:
    """A read-only root needs /tmp; it is an emptyDir with a size limit, never the node's disk."""
    for workload in release.workloads():
        for volume in workload["spec"]["template"]["spec"].get("volumes", []):
            if "emptyDir" in volume:
                assert volume["emptyDir"].get("sizeLimit"), volume


def test_api_probes_health_and_holds_no_kubernetes_credentials(release: Rendered) -> None:
    api = release.get("Deployment", "podrun-api")
    spec = api["spec"]["template"]["spec"]
    assert spec["automountServiceAccountToken"] is False
    (container,) = spec["containers"]
    assert container["args"] == ["serve", "--no-worker"]
    port_names = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert port_names == {"http": 8000}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, probe
    assert env_of(container)["PODRUN_HOST"]["value"] == "0.0.0.0"


def test_api_scales_and_survives_disruption(
    default_release: Rendered, production_release: Rendered
) -> None:
    hpa = default_release.get("HorizontalPodAutoscaler", "podrun-api")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "podrun-api"
    assert hpa["spec"]["minReplicas"] >= 2
    # The HPA owns the replica count; the Deployment must not fight it on every upgrade.
    assert "replicas" not in default_release.get("Deployment", "podrun-api")["spec"]
    assert (
        production_release.get("HorizontalPodAutoscaler", "podrun-api")["spec"]["maxReplicas"] == 20
    )
    fixed = render({"api": {"autoscaling": {"enabled": False}, "replicas": 3}})
    assert fixed.get("Deployment", "podrun-api")["spec"]["replicas"] == 3
    assert not fixed.of_kind("HorizontalPodAutoscaler")
    for release in (default_release, production_release):
        api = release.get("Deployment", "podrun-api")
        pdb = release.get("PodDisruptionBudget", "podrun-api")
        assert pdb["spec"]["minAvailable"] >= 1
        assert pdb["spec"]["selector"]["matchLabels"] == api["spec"]["selector"]["matchLabels"]
        assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_worker_runs_two_leader_elected_replicas(release: Rendered) -> None:
    worker = release.get("Deployment", "podrun-worker")
    assert worker["spec"]["replicas"] == 2
    spec = worker["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == "podrun"
    assert spec["automountServiceAccountToken"] is True
    (container,) = spec["containers"]
    assert container["args"] == ["worker"]
    env = env_of(container)
    assert env["PODRUN_BACKEND"]["value"] == "kubernetes"
    assert env["PODRUN_K8S_NAMESPACE"]["value"] == SANDBOX_NAMESPACE
    # The kubernetes backend always elects a leader; the Lease lives beside the worker, where
    # the leader-election Role allows it.
    assert env["PODRUN_K8S_LEASE_NAME"]["value"] == "podrun-worker"
    assert env["PODRUN_K8S_LEASE_NAMESPACE"]["value"] == "podrun"
    assert env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    pdb = release.get("PodDisruptionBudget", "podrun-worker")
    assert pdb["spec"]["selector"]["matchLabels"] == worker["spec"]["selector"]["matchLabels"]


def test_worker_is_probed_on_its_health_endpoint(release: Rendered) -> None:
    worker = release.get("Deployment", "podrun-worker")
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"health": 8001}
    env = env_of(container)
    # The process listens where the probes knock: every address, on the declared port.
    assert env["PODRUN_WORKER_HEALTH_PORT"]["value"] == "8001"
    assert env["PODRUN_HOST"]["value"] == "0.0.0.0"
    assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "health"}
    for probe in ("startupProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/readyz", "port": "health"}, probe
    # Liveness gives a slow start and a slow store time before it restarts anything.
    assert (
        container["livenessProbe"]["periodSeconds"] * container["livenessProbe"]["failureThreshold"]
        >= 30
    )
    moved = render({"worker": {"healthPort": 9100}}).get("Deployment", "podrun-worker")
    (container,) = moved["spec"]["template"]["spec"]["containers"]
    assert container["ports"][0]["containerPort"] == 9100
    assert env_of(container)["PODRUN_WORKER_HEALTH_PORT"]["value"] == "9100"


def test_sandbox_namespace_follows_the_release_namespace() -> None:
    # Without a release namespace (`helm lint` without -n: see test_lints_clean) the name
    # falls back to the release's full name; with one it stays <namespace>-sandboxes.
    (elsewhere,) = render(namespace="tools").of_kind("Namespace")
    assert elsewhere["metadata"]["name"] == "tools-sandboxes"


def test_rbac_is_namespaced_and_least_privilege(release: Rendered) -> None:
    assert not release.of_kind("ClusterRole")
    assert not release.of_kind("ClusterRoleBinding")
    granted: dict[tuple[str, str], set[str]] = {}
    for role in release.of_kind("Role"):
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"], rule
            assert "*" not in rule["apiGroups"], rule
            for resource in rule["resources"]:
                key = (role["metadata"]["namespace"], resource)
                granted.setdefault(key, set()).update(rule["verbs"])
    assert granted == {
        (SANDBOX_NAMESPACE, "pods"): {"create", "get", "list", "watch", "delete", "patch"},
        (SANDBOX_NAMESPACE, "pods/log"): {"get"},
        (SANDBOX_NAMESPACE, "pods/attach"): {"create", "get"},
        (SANDBOX_NAMESPACE, "configmaps"): {"create", "get", "list", "patch", "update", "delete"},
        ("podrun", "leases"): {"create", "get", "update", "patch"},
    }
    lease_rules = [
        rule
        for rule in release.get("Role", "podrun-leader-election")["rules"]
        if set(rule["verbs"]) & {"get", "update", "patch"}
    ]
    assert [rule["resourceNames"] for rule in lease_rules] == [["podrun-worker"]]
    for binding in release.of_kind("RoleBinding"):
        assert binding["roleRef"]["kind"] == "Role"
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": "podrun", "namespace": "podrun"}
        ]
        role = release.get("Role", binding["roleRef"]["name"])
        assert role["metadata"]["namespace"] == binding["metadata"]["namespace"]


def test_sandbox_namespace_enforces_restricted_pod_security(release: Rendered) -> None:
    labels = release.get("Namespace", SANDBOX_NAMESPACE)["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


def test_sandboxes_have_no_network(release: Rendered) -> None:
    (policy,) = [
        p
        for p in release.of_kind("NetworkPolicy")
        if p["metadata"]["namespace"] == SANDBOX_NAMESPACE
    ]
    spec = policy["spec"]
    assert spec["podSelector"] == {}  # every pod in the namespace
    assert sorted(spec["policyTypes"]) == ["Egress", "Ingress"]
    assert not spec.get("ingress") and not spec.get("egress")


def test_sandbox_namespace_is_bounded(release: Rendered) -> None:
    quota = release.get("ResourceQuota", "podrun-sandboxes")
    assert quota["metadata"]["namespace"] == SANDBOX_NAMESPACE
    hard = quota["spec"]["hard"]
    assert {"pods", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"} <= set(hard)
    assert hard["secrets"] == "0" and hard["services"] == "0"
    limit_range = release.get("LimitRange", "podrun-sandboxes")
    assert limit_range["metadata"]["namespace"] == SANDBOX_NAMESPACE
    (limits,) = limit_range["spec"]["limits"]
    assert limits["type"] == "Container"
    assert {"cpu", "memory"} <= set(limits["max"]) and {"cpu", "memory"} <= set(limits["default"])


def test_secure_defaults_reach_both_processes(release: Rendered) -> None:
    for _, container in release.containers():
        if container["name"] not in {"api", "worker"}:
            continue
        env = env_of(container)
        assert env["PODRUN_AUTH_ANONYMOUS"]["value"] == "false"
        assert env["PODRUN_GRAPHIQL"]["value"] == "false"
        assert env["PODRUN_GRAPHQL_INTROSPECTION"]["value"] == "false"
        assert env["PODRUN_LOG_FORMAT"]["value"] == "json"
        # Secrets come from Secrets, never inline.
        assert "value" not in env["PODRUN_AUTH_JWT_SECRET"]
        assert "value" not in env["PODRUN_MONGODB_URI"]


def test_jwt_secret_is_generated_and_referenced(default_release: Rendered) -> None:
    secret = default_release.get("Secret", "podrun-auth")
    key = base64.b64decode(secret["data"]["jwt-secret"]).decode()
    assert len(key) == 64 and key.isalnum()
    # Kept on uninstall and reused on upgrade (the template looks the previous one up).
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    api = default_release.get("Deployment", "podrun-api")["spec"]["template"]["spec"]
    ref = env_of(api["containers"][0])["PODRUN_AUTH_JWT_SECRET"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "podrun-auth", "key": "jwt-secret"}
    # Two installs get two different keys: nothing predictable ships in the chart.
    again = render().get("Secret", "podrun-auth")["data"]["jwt-secret"]
    assert again != secret["data"]["jwt-secret"]


def test_given_or_existing_jwt_secret_is_used(production_release: Rendered) -> None:
    given = render({"auth": {"jwtSecret": "a-32-byte-secret-from-the-values"}})
    data = given.get("Secret", "podrun-auth")["data"]["jwt-secret"]
    assert base64.b64decode(data) == b"a-32-byte-secret-from-the-values"
    assert not [s for s in production_release.of_kind("Secret") if "auth" in s["metadata"]["name"]]
    worker = production_release.get("Deployment", "podrun-worker")["spec"]["template"]["spec"]
    ref = env_of(worker["containers"][0])["PODRUN_AUTH_JWT_SECRET"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "podrun-jwt", "key": "key"}


def test_internal_mongodb_is_a_single_node_replica_set(default_release: Rendered) -> None:
    statefulset = default_release.get("StatefulSet", "podrun-mongodb")
    assert statefulset["spec"]["replicas"] == 1
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    assert "--replSet" in container["args"]
    uri = default_release.get("Secret", "podrun-mongodb-uri")["stringData"]["uri"]
    assert uri == (
        "mongodb://podrun-mongodb-0.podrun-mongodb-headless.podrun.svc:27017/?replicaSet=rs0"
    )
    assert "rs.initiate" in " ".join(container["readinessProbe"]["exec"]["command"])
    policy = default_release.get("NetworkPolicy", "podrun-mongodb")
    (rule,) = policy["spec"]["ingress"]
    assert rule["from"] == [
        {
            "podSelector": {
                "matchLabels": {
                    "app.kubernetes.io/name": "podrun",
                    "app.kubernetes.io/instance": "podrun",
                }
            }
        }
    ]


def test_external_mongodb_replaces_the_statefulset(production_release: Rendered) -> None:
    assert not production_release.of_kind("StatefulSet")
    api = production_release.get("Deployment", "podrun-api")["spec"]["template"]["spec"]
    ref = env_of(api["containers"][0])["PODRUN_MONGODB_URI"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "podrun-mongodb", "key": "connection-string"}
    inline = render(
        {"mongodb": {"internal": {"enabled": False}, "external": {"uri": "mongodb://db:27017"}}}
    )
    assert inline.get("Secret", "podrun-mongodb-uri")["stringData"]["uri"] == "mongodb://db:27017"


def test_opentelemetry_settings(default_release: Rendered, production_release: Rendered) -> None:
    default_env = env_of(
        default_release.get("Deployment", "podrun-api")["spec"]["template"]["spec"]["containers"][0]
    )
    assert default_env["OTEL_TRACES_EXPORTER"]["value"] == "none"
    env = env_of(
        production_release.get("Deployment", "podrun-worker")["spec"]["template"]["spec"][
            "containers"
        ][0]
    )
    assert env["OTEL_TRACES_EXPORTER"]["value"] == "otlp"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"] == "http://otel-collector.observability:4318"
    assert env["OTEL_SERVICE_NAME"]["value"] == "podrun"
    assert "deployment.environment=production" in env["OTEL_RESOURCE_ATTRIBUTES"]["value"]


def test_ingress_carries_websockets(
    default_release: Rendered, production_release: Rendered
) -> None:
    assert not default_release.of_kind("Ingress")
    ingress = production_release.get("Ingress", "podrun")
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    assert annotations["cert-manager.io/cluster-issuer"] == "letsencrypt"
    assert ingress["spec"]["tls"] == [{"hosts": ["podrun.example.com"], "secretName": "podrun-tls"}]
    (rule,) = ingress["spec"]["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "podrun", "port": {"name": "http"}}


def test_production_images_are_pinned_and_sandboxes_use_the_runtime_class(
    production_release: Rendered,
) -> None:
    for workload, container in production_release.containers():
        assert "@sha256:" in container["image"], workload["metadata"]["name"]
        assert workload["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "registry"}]
    env = env_of(
        production_release.get("Deployment", "podrun-worker")["spec"]["template"]["spec"][
            "containers"
        ][0]
    )
    assert env["PODRUN_K8S_RUNTIME_CLASS_NAME"]["value"] == "gvisor"
    assert env["PODRUN_K8S_DEFAULT_RUNTIME"]["value"] == "python3.12"
