{{/* Full name: the release name, unless it already says processgroup-operator. */}}
{{- define "pgo.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pgo.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pgo.labels" -}}
{{ include "pgo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: processgroup
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.extraLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "pgo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "pgo.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "pgo.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "pgo.runtimeImage" -}}
{{- default (printf "ghcr.io/processgroup/runtime:%s" .Chart.AppVersion) .Values.runtimeImage -}}
{{- end -}}

{{/*
What the operator does to ProcessGroups and their children: exactly its API calls, no
wildcards, no Secrets. Children are written by server-side apply, which needs create as well
as patch when the object does not exist yet; ConfigMaps and Pods are only watched.
*/}}
{{- define "pgo.reconcileRules" -}}
- apiGroups: ["processgroup.dev"]
  resources: ["processgroups"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["processgroup.dev"]
  resources: ["processgroups/status"]
  verbs: ["patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["configmaps", "pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# Each group's pods get a ServiceAccount and a Role + RoleBinding for env.once()'s Leases.
# They are read by name and applied (never listed: no informer), and go with their group
# by garbage collection (no delete).
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "create", "patch"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "create", "patch"]
# RBAC lets a subject grant only what it holds itself (no `escalate`/`bind`): the groups'
# Roles allow these verbs on Leases, so the operator must hold them where the groups live.
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update"]
{{- end -}}
