{{/* Names ------------------------------------------------------------------------------ */}}
{{- define "podrun.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "podrun.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "podrun.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "podrun.labels" -}}
helm.sh/chart: {{ include "podrun.chart" . }}
app.kubernetes.io/name: {{ include "podrun.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: podrun
{{- end -}}

{{/* Selector labels of one component: include with (dict "ctx" $ "component" "api"). */}}
{{- define "podrun.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podrun.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "podrun.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "podrun.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The release namespace's name keeps existing installs where they are; a render without
     one (`helm lint`, `helm template` with no namespace) would give "-sandboxes". */}}
{{- define "podrun.sandboxNamespace" -}}
{{- $base := default (include "podrun.fullname" .) .Release.Namespace -}}
{{- default (printf "%s-sandboxes" $base) .Values.sandbox.namespace.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "podrun.leaseName" -}}
{{- default (printf "%s-worker" (include "podrun.fullname" .)) .Values.worker.leaderElection.leaseName -}}
{{- end -}}

{{- define "podrun.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Secrets ---------------------------------------------------------------------------- */}}
{{- define "podrun.authSecretName" -}}
{{- default (printf "%s-auth" (include "podrun.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "podrun.mongodbName" -}}
{{- printf "%s-mongodb" (include "podrun.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "podrun.mongodbSecretName" -}}
{{- if and (not .Values.mongodb.internal.enabled) .Values.mongodb.external.existingSecret -}}
{{- .Values.mongodb.external.existingSecret -}}
{{- else -}}
{{- printf "%s-mongodb-uri" (include "podrun.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "podrun.mongodbUriKey" -}}
{{- if and (not .Values.mongodb.internal.enabled) .Values.mongodb.external.existingSecret -}}
{{- .Values.mongodb.external.uriKey -}}
{{- else -}}
uri
{{- end -}}
{{- end -}}

{{/* The internal replica set's member address (stable DNS of the StatefulSet's pod 0). */}}
{{- define "podrun.mongodbHost" -}}
{{- printf "%s-0.%s-headless.%s.svc:27017" (include "podrun.mongodbName" .) (include "podrun.mongodbName" .) .Release.Namespace -}}
{{- end -}}

{{- define "podrun.mongodbInternalUri" -}}
{{- printf "mongodb://%s/?replicaSet=%s" (include "podrun.mongodbHost" .) .Values.mongodb.internal.replicaSetName -}}
{{- end -}}

{{/* Security --------------------------------------------------------------------------- */}}
{{- define "podrun.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext }}
{{- end -}}

{{- define "podrun.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext }}
{{- end -}}

{{/* Environment shared by the API and the worker: every setting is PODRUN_<FIELD> (see
     service/settings.py), OpenTelemetry uses the standard OTEL_* variables. */}}
{{- define "podrun.env" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: PODRUN_MONGODB_URI
  valueFrom:
    secretKeyRef:
      name: {{ include "podrun.mongodbSecretName" . }}
      key: {{ include "podrun.mongodbUriKey" . }}
- name: PODRUN_DATABASE
  value: {{ .Values.mongodb.database | quote }}
- name: PODRUN_DATA_DIR
  value: /tmp/podrun
- name: PODRUN_BACKEND
  value: kubernetes
- name: PODRUN_K8S_IN_CLUSTER
  value: "true"
- name: PODRUN_K8S_NAMESPACE
  value: {{ include "podrun.sandboxNamespace" . | quote }}
- name: PODRUN_K8S_IMAGES
  value: {{ .Values.runtimes.images | toJson | quote }}
- name: PODRUN_K8S_DEFAULT_RUNTIME
  value: {{ .Values.runtimes.defaultRuntime | quote }}
{{- with .Values.runtimes.pullSecrets }}
- name: PODRUN_K8S_IMAGE_PULL_SECRETS
  value: {{ . | toJson | quote }}
{{- end }}
{{- with .Values.sandbox.runtimeClassName }}
- name: PODRUN_K8S_RUNTIME_CLASS_NAME
  value: {{ . | quote }}
{{- end }}
{{- with .Values.sandbox.priorityClassName }}
- name: PODRUN_K8S_PRIORITY_CLASS_NAME
  value: {{ . | quote }}
{{- end }}
{{- with .Values.sandbox.nodeSelector }}
- name: PODRUN_K8S_NODE_SELECTOR
  value: {{ . | toJson | quote }}
{{- end }}
{{- with .Values.sandbox.tolerations }}
- name: PODRUN_K8S_TOLERATIONS
  value: {{ . | toJson | quote }}
{{- end }}
- name: PODRUN_K8S_USER_NAMESPACES
  value: {{ .Values.sandbox.userNamespaces | quote }}
- name: PODRUN_MAX_TIMEOUT_SECONDS
  value: {{ .Values.limits.maxTimeoutSeconds | quote }}
- name: PODRUN_MAX_MEMORY_MIB
  value: {{ .Values.limits.maxMemoryMib | int | quote }}
- name: PODRUN_MAX_CPU_MILLICORES
  value: {{ .Values.limits.maxCpuMillicores | int | quote }}
- name: PODRUN_WORKER_HEARTBEAT_SECONDS
  value: {{ .Values.worker.heartbeatSeconds | quote }}
- name: PODRUN_WORKER_DEAD_AFTER_SECONDS
  value: {{ .Values.worker.deadAfterSeconds | quote }}
- name: PODRUN_AUTH_ANONYMOUS
  value: {{ .Values.auth.anonymous | quote }}
- name: PODRUN_AUTH_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "podrun.authSecretName" . }}
      key: {{ .Values.auth.jwtSecretKey }}
- name: PODRUN_AUTH_REGISTRATION
  value: {{ .Values.auth.registration | quote }}
- name: PODRUN_AUTH_ACCESS_TOKEN_SECONDS
  value: {{ .Values.auth.accessTokenSeconds | int | quote }}
- name: PODRUN_AUTH_REFRESH_TOKEN_SECONDS
  value: {{ .Values.auth.refreshTokenSeconds | int | quote }}
- name: PODRUN_GRAPHIQL
  value: {{ .Values.graphql.graphiql | quote }}
- name: PODRUN_GRAPHQL_INTROSPECTION
  value: {{ .Values.graphql.introspection | quote }}
{{- with .Values.graphql.corsOrigins }}
- name: PODRUN_CORS_ORIGINS
  value: {{ . | toJson | quote }}
{{- end }}
- name: PODRUN_LOG_FORMAT
  value: {{ .Values.logging.format | quote }}
- name: PODRUN_LOG_LEVEL
  value: {{ .Values.logging.level | quote }}
- name: PODRUN_TRACE_SCRIPTS
  value: {{ .Values.otel.traceScripts | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ .Values.otel.serviceName | quote }}
{{- if .Values.otel.enabled }}
- name: OTEL_TRACES_EXPORTER
  value: otlp
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.otel.endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: http/protobuf
- name: OTEL_TRACES_SAMPLER
  value: {{ .Values.otel.sampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .Values.otel.samplerArg | quote }}
{{- else }}
- name: OTEL_TRACES_EXPORTER
  value: none
{{- end }}
{{- $attrs := printf "k8s.namespace.name=%s" .Release.Namespace }}
{{- with .Values.otel.resourceAttributes }}{{ $attrs = printf "%s,%s" $attrs . }}{{ end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "%s,k8s.pod.name=$(POD_NAME)" $attrs | quote }}
{{- end -}}

{{/* The /tmp scratch volume every Podrun container mounts (the root filesystem is read-only). */}}
{{- define "podrun.tmpVolume" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- /*
Warm sandbox pods count against the sandbox quota like running ones: refuse values whose
concurrency and warm pods together cannot fit in it (docs/deploy.md, "The warm pod pool").
*/ -}}
{{- define "podrun.checkSandboxQuota" -}}
{{- $quota := .Values.sandbox.resourceQuota -}}
{{- if $quota.enabled -}}
{{- $warm := 2 -}}
{{- if not (kindIs "invalid" .Values.worker.warmPods) -}}
{{- $warm = 0 -}}
{{- range $runtime, $count := .Values.worker.warmPods -}}
{{- $warm = add $warm $count -}}
{{- end -}}
{{- end -}}
{{- $needed := add (int .Values.worker.maxConcurrency) $warm -}}
{{- if gt (int $needed) (int $quota.pods) -}}
{{- fail (printf "worker.maxConcurrency (%d) + warm pods (%d) exceed sandbox.resourceQuota.pods (%s): warm pods count against the quota" (int .Values.worker.maxConcurrency) (int $warm) $quota.pods) -}}
{{- end -}}
{{- end -}}
{{- end -}}
