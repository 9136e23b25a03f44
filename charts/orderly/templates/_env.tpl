{{/*
A component's environment, exactly the variables its config schema reads (the contract check
parses it with the service's own zod schema). Credentials come only from Secrets.
Call with (list $ "component" $componentValues).
*/}}
{{- define "orderly.env" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $c := index . 2 -}}
- name: PORT
  value: {{ $c.port | quote }}
- name: SAGA_MODE
  value: {{ $root.Values.sagaMode | quote }}
- name: SAGA_SWITCHING
  value: {{ $root.Values.sagaSwitching | quote }}
- name: LOG_LEVEL
  value: {{ $c.logLevel | quote }}
- name: DB_SCHEMA
  value: {{ $name | quote }}
- name: DB_POOL_SIZE
  value: {{ $c.dbPoolSize | quote }}
- name: PREFETCH
  value: {{ $c.prefetch | quote }}
- name: DELIVERY_LIMIT
  value: {{ $root.Values.messaging.deliveryLimit | quote }}
# The Messaging Topology Operator owns the topology: the service only checks that it exists.
- name: BROKER_DECLARE_TOPOLOGY
  value: "false"
- name: BROKER_CONNECT_ATTEMPTS
  value: {{ $root.Values.messaging.connectAttempts | quote }}
- name: SHUTDOWN_TIMEOUT_MS
  value: {{ $c.shutdownTimeoutMs | quote }}
# Whose bearer tokens the API accepts (docs/security.md): no default, the chart fails without one.
- name: AUTH_ISSUER
  value: {{ include "orderly.authIssuer" $root | quote }}
- name: AUTH_AUDIENCE
  value: {{ $root.Values.auth.audience | quote }}
- name: AUTH_JWKS_URL
  value: {{ include "orderly.jwksUrl" $root | quote }}
- name: AUTH_ROLES_CLAIM
  value: {{ $root.Values.auth.rolesClaim | quote }}
- name: AUTH_OPERATOR_ROLE
  value: {{ $root.Values.auth.operatorRole | quote }}
{{- with $root.Values.auth.operatorScope }}
- name: AUTH_OPERATOR_SCOPE
  value: {{ . | quote }}
{{- end }}
- name: AMQP_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "orderly.child" (list $root (printf "%s-amqp" $name)) }}
      key: url
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "orderly.child" (list $root (printf "%s-db" $name)) }}
      key: uri
{{- /* Redriven copies (decision 0011) keep their recorded publisher only when the console sent them. */}}
{{- if include "orderly.consoleEnabled" $root }}
- name: BROKER_REDRIVE_USER
  value: {{ include "orderly.brokerUser" "console" | quote }}
{{- end }}
{{- if eq $name "console" }}
- name: CONSOLE_PUBLIC_URL
  value: {{ $root.Values.console.publicUrl | quote }}
- name: CONSOLE_SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "orderly.child" (list $root "console-session") }}
      key: secret
- name: CONSOLE_OIDC_CLIENT_ID
  value: {{ $root.Values.console.oidc.clientId | quote }}
- name: CONSOLE_OIDC_SCOPE
  value: {{ $root.Values.console.oidc.scope | quote }}
{{- with $root.Values.console.oidc.resource }}
- name: CONSOLE_OIDC_RESOURCE
  value: {{ . | quote }}
{{- end }}
# The services' APIs it calls with the operator's token: their Services in this release.
- name: SERVICE_URL_TEMPLATE
  value: {{ printf "http://%s:{port}" (include "orderly.child" (list $root "{service}")) | quote }}
{{- with $root.Values.console.prometheusUrl }}
- name: PROMETHEUS_URL
  value: {{ . | quote }}
{{- end }}
{{- with $root.Values.console.traceUrlTemplate }}
- name: TRACE_URL_TEMPLATE
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- range $key := keys $c.env | sortAlpha }}
- name: {{ $key }}
  value: {{ index $c.env $key | quote }}
{{- end }}
- name: OTEL_SERVICE_NAME
  value: {{ $name | quote }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $root.Values.telemetry.otlpEndpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: http/protobuf
# Traces only: the collector (k8s/otel-collector.values.yaml) has no metrics or logs pipeline, and
# the SDK would otherwise push both over OTLP (its default) into nothing. Metrics are scraped.
- name: OTEL_METRICS_EXPORTER
  value: "none"
- name: OTEL_LOGS_EXPORTER
  value: "none"
- name: OTEL_TRACES_SAMPLER
  value: {{ $root.Values.telemetry.tracesSampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ $root.Values.telemetry.tracesSamplerArg | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.namespace=orderly,service.version=%s,k8s.namespace.name=%s" $root.Chart.AppVersion $root.Release.Namespace | quote }}
{{- end -}}

{{/* The container's security context: nothing to escalate to, nothing to write but /tmp. */}}
{{- define "orderly.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "orderly.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The image's entry point is node with the tracing register hook; the command picks the service. */}}
{{- define "orderly.args" -}}
- services/{{ . }}/dist/src/main.js
{{- end -}}
