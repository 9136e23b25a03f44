{{/* Names are cut to 63 characters: Kubernetes label values and DNS labels allow no more. */}}
{{- define "orderly.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "orderly.fullname" -}}
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

{{/* "<fullname>-<suffix>", cut to 63 characters. Call with (list $ "suffix"). */}}
{{- define "orderly.child" -}}
{{- printf "%s-%s" (include "orderly.fullname" (index . 0)) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "orderly.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "orderly.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: orderly
{{- end -}}

{{/* The immutable few: a Deployment's selector cannot change after creation. Call with (list $ "component"). */}}
{{- define "orderly.selectorLabels" -}}
app.kubernetes.io/name: {{ include "orderly.name" (index . 0) }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "orderly.componentLabels" -}}
{{ include "orderly.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Labels that kube-prometheus-stack's Prometheus selects ServiceMonitors and rules by. */}}
{{- define "orderly.monitoringLabels" -}}
{{ include "orderly.labels" . }}
{{- with .Values.monitoring.release }}
release: {{ . }}
{{- end }}
{{- end -}}

{{/* One component's values: the `default:` block overlaid with its own entry. Returns JSON. */}}
{{- define "orderly.componentValues" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- toJson (mergeOverwrite (deepCopy $root.Values.default) (deepCopy (index $root.Values.components $name))) -}}
{{- end -}}

{{/* A component's image: its own full repository when set (skaffold sets it), else <registry>/<prefix><name>. */}}
{{- define "orderly.image" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $c := index . 2 -}}
{{- $repo := $c.image.repository -}}
{{- if not $repo -}}
{{- $repo = printf "%s%s" $root.Values.image.repositoryPrefix $name -}}
{{- if $root.Values.image.registry -}}{{- $repo = printf "%s/%s" $root.Values.image.registry $repo -}}{{- end -}}
{{- end -}}
{{- $tag := $c.image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{/*
Which topology of files/topology.json the release runs on: the saga mode's, or 'switching' (both
modes' bindings and rights) while sagaSwitching drains a switch (docs/decisions/0022).
*/}}
{{- define "orderly.topologyMode" -}}
{{- if .Values.sagaSwitching }}switching{{ else }}{{ .Values.sagaMode }}{{ end -}}
{{- end -}}

{{/* The topology of the chosen saga mode, from files/topology.json (generated from the code). */}}
{{- define "orderly.topologyFile" -}}
{{- .Files.Get "files/topology.json" -}}
{{- end -}}

{{- define "orderly.rabbitmqName" -}}{{ include "orderly.child" (list . "rabbitmq") }}{{- end -}}
{{- define "orderly.rabbitmqHost" -}}{{ printf "%s.%s.svc" (include "orderly.rabbitmqName" .) .Release.Namespace }}{{- end -}}
{{- define "orderly.postgresName" -}}{{ include "orderly.child" (list . "db") }}{{- end -}}
{{- define "orderly.postgresHost" -}}{{ printf "%s-rw.%s.svc" (include "orderly.postgresName" .) .Release.Namespace }}{{- end -}}

{{/* A Kubernetes name from a broker name: dots, '#' and '*' are not allowed in names. */}}
{{- define "orderly.brokerObjectName" -}}
{{- . | lower | replace "." "-" | replace "#" "all" | replace "*" "any" | replace "_" "-" -}}
{{- end -}}

{{/* A RabbitMQ permission regex matching exactly the given names, or nothing. */}}
{{- define "orderly.exactRegex" -}}
{{- if . -}}
{{- $escaped := list -}}
{{- range . }}{{ $escaped = append $escaped (replace "." "\\." .) }}{{ end -}}
^({{ join "|" $escaped }})$
{{- else -}}
^$
{{- end -}}
{{- end -}}

{{/*
A generated password that survives upgrades: reuse the one in the live Secret when there is one.
Call with (list $ "secret-name" "key").
*/}}
{{- define "orderly.password" -}}
{{- $root := index . 0 -}}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace (index . 1) -}}
{{- if and $existing $existing.data (hasKey $existing.data (index . 2)) -}}
{{- index $existing.data (index . 2) | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}

{{/*
The Messaging Topology Operator (v1.20+) caches only Secrets with this label, and its User webhook
refuses a User whose importCredentialsSecret lacks it (internal/webhook/v1beta1/label_validation.go).
*/}}
{{- define "orderly.topologyOperatorSecretLabel" -}}
rabbitmq.com/topology-operator: "true"
{{- end -}}

{{/* The stateful stores stay on `helm uninstall` (their volumes are owned by them). */}}
{{- define "orderly.keepAnnotation" -}}
{{- if .Values.keepDataOnUninstall -}}
annotations:
  helm.sh/resource-policy: keep
{{- end -}}
{{- end -}}

{{/* A component's broker user name (its User imports it from the <component>-amqp Secret). */}}
{{- define "orderly.brokerUser" -}}{{ printf "orderly-%s" . }}{{- end -}}

{{/* "true" when the operations console runs (components.console enabled), else "". */}}
{{- define "orderly.consoleEnabled" -}}
{{- if hasKey .Values.components "console" -}}
{{- $c := include "orderly.componentValues" (list . "console") | fromJson -}}
{{- if $c.enabled }}true{{ end -}}
{{- end -}}
{{- end -}}
