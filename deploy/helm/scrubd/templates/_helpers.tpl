{{/* Names and labels. */}}
{{- define "scrubd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "scrubd.fullname" -}}
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

{{- define "scrubd.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "scrubd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scrubd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "scrubd.labels" -}}
helm.sh/chart: {{ include "scrubd.chart" . }}
{{ include "scrubd.selectorLabels" . }}
app.kubernetes.io/component: {{ .Values.mode }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: scrubd
{{- end -}}

{{- define "scrubd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "scrubd.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "scrubd.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "scrubd.policyConfigMap" -}}
{{- default (printf "%s-policy" (include "scrubd.fullname" .)) .Values.policy.existingConfigMap -}}
{{- end -}}

{{/* Where the mounted files are. One directory per source, so that each updates atomically. */}}
{{- define "scrubd.paths" -}}
config: /etc/scrubd/config
policy: /etc/scrubd/policy
keys: /etc/scrubd/keys
deadLetter: /etc/scrubd/dead-letter
vault: /etc/scrubd/vault
kafkaTLS: /etc/scrubd/kafka-tls
kafkaSASL: /etc/scrubd/kafka-sasl
{{- end -}}

{{/* Checks of the values that the schema cannot express. */}}
{{- define "scrubd.validate" -}}
{{- $v := .Values -}}
{{- if not (has $v.mode (list "standalone" "sidecar")) -}}
{{- fail (printf "mode must be standalone or sidecar, not %q" $v.mode) -}}
{{- end -}}
{{- if eq $v.mode "sidecar" -}}
{{- if not $v.sidecar.containers -}}
{{- fail "mode sidecar needs the application's containers in sidecar.containers" -}}
{{- end -}}
{{- if not (semverCompare ">=1.29.0-0" .Capabilities.KubeVersion.Version) -}}
{{- fail (printf "mode sidecar needs native sidecars (Kubernetes >= 1.29), the cluster is %s" .Capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- end -}}
{{- if and $v.kafka.sasl.mechanism (not $v.kafka.sasl.secretName) -}}
{{- fail "kafka.sasl.secretName is required with kafka.sasl.mechanism (the password is read from a file)" -}}
{{- end -}}
{{- if and $v.kafka.sasl.mechanism (not $v.kafka.sasl.username) -}}
{{- fail "kafka.sasl.username is required with kafka.sasl.mechanism" -}}
{{- end -}}
{{- if ne (empty $v.kafka.tls.certKey) (empty $v.kafka.tls.keyKey) -}}
{{- fail "kafka.tls.certKey and kafka.tls.keyKey go together" -}}
{{- end -}}
{{- if and $v.kafka.tls.certKey (not $v.kafka.tls.secretName) -}}
{{- fail "kafka.tls.secretName is required for a client certificate" -}}
{{- end -}}
{{- range $k := list "http" "shutdown" "policy" "policy_file" -}}
{{- if hasKey $v.extraConfig $k -}}
{{- fail (printf "extraConfig.%s is managed by the chart (see httpPort, shutdownTimeoutSeconds, policy)" $k) -}}
{{- end -}}
{{- end -}}
{{- if and (hasKey $v.extraConfig "kafka") (hasKey (get $v.extraConfig "kafka") "transactional_id") -}}
{{- fail "extraConfig.kafka.transactional_id is set per pod by the chart (SCRUBD_KAFKA_TRANSACTIONAL_ID)" -}}
{{- end -}}
{{- if and $v.keda.enabled (lt (int $v.keda.maxReplicas) (int $v.keda.minReplicas)) -}}
{{- fail "keda.maxReplicas must be at least keda.minReplicas" -}}
{{- end -}}
{{- end -}}

{{/* scrubd.yaml: the run configuration (pipeline/config), as a dict. */}}
{{- define "scrubd.configDict" -}}
{{- $v := .Values -}}
{{- $p := include "scrubd.paths" . | fromYaml -}}
{{- $tls := dict "enabled" $v.kafka.tls.enabled -}}
{{- if $v.kafka.tls.enabled -}}
{{- if $v.kafka.tls.secretName -}}
{{- $_ := set $tls "ca_file" (printf "%s/ca.crt" $p.kafkaTLS) -}}
{{- end -}}
{{- if $v.kafka.tls.certKey -}}
{{- $_ := set $tls "cert_file" (printf "%s/tls.crt" $p.kafkaTLS) -}}
{{- $_ := set $tls "key_file" (printf "%s/tls.key" $p.kafkaTLS) -}}
{{- end -}}
{{- if $v.kafka.tls.serverName -}}
{{- $_ := set $tls "server_name" $v.kafka.tls.serverName -}}
{{- end -}}
{{- end -}}
{{- $kafka := dict "brokers" $v.kafka.brokers "version" $v.kafka.version "client_id" $v.kafka.clientId "group" $v.kafka.group "fetch_bytes" (int $v.kafka.fetchBytes) "tls" $tls -}}
{{- if $v.kafka.sasl.mechanism -}}
{{- $_ := set $kafka "sasl" (dict "mechanism" $v.kafka.sasl.mechanism "username" $v.kafka.sasl.username "password_file" (printf "%s/password" $p.kafkaSASL)) -}}
{{- end -}}
{{- $topics := dict "input" $v.topics.input "clean" $v.topics.clean "dead_letter" $v.topics.deadLetter "aggregates" $v.topics.aggregates "vault" $v.topics.vault -}}
{{- $cfg := dict "kafka" $kafka "topics" $topics "delivery" $v.delivery "log" (dict "level" $v.logLevel) -}}
{{- $_ := set $cfg "http" (dict "addr" (printf ":%d" (int $v.httpPort))) -}}
{{- $_ := set $cfg "shutdown" (dict "timeout" (printf "%ds" (int $v.shutdownTimeoutSeconds))) -}}
{{- $_ := set $cfg "policy_file" (printf "%s/%s" $p.policy $v.policy.key) -}}
{{- if $v.deadLetterKey.secretName -}}
{{- $_ := set $cfg "dead_letter" (dict "key_file" (printf "%s/key" $p.deadLetter)) -}}
{{- end -}}
{{- $merged := mustMergeOverwrite $cfg (deepCopy $v.extraConfig) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/* policy.yaml of the inline policy. */}}
{{- define "scrubd.policy" -}}
{{- $v := .Values -}}
{{- $p := include "scrubd.paths" . | fromYaml -}}
{{- $pol := deepCopy (default dict $v.policy.inline) -}}
{{- if and $v.hmacKeys.secretName (not (hasKey $pol "keys")) -}}
{{- $_ := set $pol "keys" (dict "dir" $p.keys) -}}
{{- end -}}
{{- if $v.hmacKeys.active -}}
{{- $keys := default dict (get $pol "keys") -}}
{{- $_ := set $keys "active" $v.hmacKeys.active -}}
{{- $_ := set $pol "keys" $keys -}}
{{- end -}}
{{- toYaml $pol -}}
{{- end -}}

{{/* Seconds the pod needs to stop: scrubd's shutdown.timeout + 5 s of run.go's grace + 5 s of
HTTP shutdown, the margin, and the application's own time in sidecar mode. */}}
{{- define "scrubd.terminationGrace" -}}
{{- $s := add (int .Values.shutdownTimeoutSeconds) 10 (int .Values.terminationGraceMarginSeconds) -}}
{{- if eq .Values.mode "sidecar" -}}
{{- $s = add $s (int .Values.sidecar.appShutdownSeconds) -}}
{{- end -}}
{{- $s -}}
{{- end -}}

{{/* GOMEMLIMIT from the memory limit: 90 %, in MiB. */}}
{{- define "scrubd.goMemLimit" -}}
{{- $v := .Values.goMemLimit | toString -}}
{{- if eq $v "auto" -}}
{{- $lim := "" -}}
{{- if and .Values.resources .Values.resources.limits .Values.resources.limits.memory -}}
{{- $lim = .Values.resources.limits.memory | toString -}}
{{- end -}}
{{- if regexMatch "^[0-9]+Mi$" $lim -}}
{{- printf "%dMiB" (div (mul (trimSuffix "Mi" $lim | int) 9) 10) -}}
{{- else if regexMatch "^[0-9]+Gi$" $lim -}}
{{- printf "%dMiB" (div (mul (trimSuffix "Gi" $lim | int) 1024 9) 10) -}}
{{- end -}}
{{- else -}}
{{- $v -}}
{{- end -}}
{{- end -}}

{{/* The scrubd container. A native sidecar in sidecar mode (restartPolicy: Always). */}}
{{- define "scrubd.container" -}}
{{- $v := .Values -}}
{{- $p := include "scrubd.paths" . | fromYaml -}}
name: scrubd
image: {{ include "scrubd.image" . }}
imagePullPolicy: {{ $v.image.pullPolicy }}
{{- if eq $v.mode "sidecar" }}
restartPolicy: Always
{{- end }}
args: ["run", "--config", "{{ $p.config }}/scrubd.yaml"]
ports:
  - name: metrics
    containerPort: {{ $v.httpPort }}
    protocol: TCP
env:
  - name: POD_NAMESPACE
    valueFrom:
      fieldRef:
        fieldPath: metadata.namespace
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  # Unique per pod: transactional ids are cluster-wide in Kafka.
  - name: SCRUBD_KAFKA_TRANSACTIONAL_ID
    value: scrubd-$(POD_NAMESPACE)-$(POD_NAME)
  {{- with include "scrubd.goMemLimit" . }}
  - name: GOMEMLIMIT
    value: {{ . | quote }}
  {{- end }}
  {{- with $v.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
livenessProbe:
  httpGet:
    path: /healthz
    port: metrics
  {{- toYaml $v.probes.liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: metrics
  {{- toYaml $v.probes.readiness | nindent 2 }}
{{- with $v.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $v.securityContext | nindent 2 }}
volumeMounts:
  - {name: scrubd-config, mountPath: {{ $p.config }}, readOnly: true}
  - {name: scrubd-policy, mountPath: {{ $p.policy }}, readOnly: true}
  {{- if $v.hmacKeys.secretName }}
  - {name: scrubd-hmac-keys, mountPath: {{ $p.keys }}, readOnly: true}
  {{- end }}
  {{- if $v.deadLetterKey.secretName }}
  - {name: scrubd-dead-letter-key, mountPath: {{ $p.deadLetter }}, readOnly: true}
  {{- end }}
  {{- if $v.vaultKey.secretName }}
  - {name: scrubd-vault-key, mountPath: {{ $p.vault }}, readOnly: true}
  {{- end }}
  {{- if and $v.kafka.tls.enabled $v.kafka.tls.secretName }}
  - {name: scrubd-kafka-tls, mountPath: {{ $p.kafkaTLS }}, readOnly: true}
  {{- end }}
  {{- if $v.kafka.sasl.mechanism }}
  - {name: scrubd-kafka-sasl, mountPath: {{ $p.kafkaSASL }}, readOnly: true}
  {{- end }}
  {{- with $v.extraVolumeMounts }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* The volumes scrubd reads. Directories, never subPath: Kubernetes swaps them atomically. */}}
{{- define "scrubd.volumes" -}}
{{- $v := .Values -}}
- name: scrubd-config
  configMap:
    name: {{ include "scrubd.fullname" . }}-config
    defaultMode: 0440
- name: scrubd-policy
  configMap:
    name: {{ include "scrubd.policyConfigMap" . }}
    defaultMode: 0440
    items:
      - {key: {{ $v.policy.key | quote }}, path: {{ $v.policy.key | quote }}}
{{- if $v.hmacKeys.secretName }}
- name: scrubd-hmac-keys
  secret:
    secretName: {{ $v.hmacKeys.secretName }}
    defaultMode: 0440
{{- end }}
{{- if $v.deadLetterKey.secretName }}
- name: scrubd-dead-letter-key
  secret:
    secretName: {{ $v.deadLetterKey.secretName }}
    defaultMode: 0440
    items:
      - {key: {{ $v.deadLetterKey.key | quote }}, path: key}
{{- end }}
{{- if $v.vaultKey.secretName }}
- name: scrubd-vault-key
  secret:
    secretName: {{ $v.vaultKey.secretName }}
    defaultMode: 0440
    items:
      - {key: {{ $v.vaultKey.key | quote }}, path: key}
{{- end }}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.secretName }}
- name: scrubd-kafka-tls
  secret:
    secretName: {{ $v.kafka.tls.secretName }}
    defaultMode: 0440
    items:
      - {key: {{ $v.kafka.tls.caKey | quote }}, path: ca.crt}
      {{- if $v.kafka.tls.certKey }}
      - {key: {{ $v.kafka.tls.certKey | quote }}, path: tls.crt}
      - {key: {{ $v.kafka.tls.keyKey | quote }}, path: tls.key}
      {{- end }}
{{- end }}
{{- if $v.kafka.sasl.mechanism }}
- name: scrubd-kafka-sasl
  secret:
    secretName: {{ $v.kafka.sasl.secretName }}
    defaultMode: 0440
    items:
      - {key: {{ $v.kafka.sasl.passwordKey | quote }}, path: password}
{{- end }}
{{- with $v.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}
