{{/*
Labels of the objects of the release: Helm's chart label and the Kubernetes recommended labels
(https://helm.sh/docs/chart_best_practices/labels/, https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
*/}}
{{- define "eks-efa.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "eks-efa.podLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/*
Labels of pod templates and of the checks: nothing that changes between releases (a Job's pod template is immutable).
*/}}
{{- define "eks-efa.podLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/part-of: cdk8s-rdma
{{- end }}
