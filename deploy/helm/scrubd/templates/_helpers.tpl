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

{{/* The label an application chart puts on its pods in embedded mode (scrubd.sidecarPodLabels),
by which the metrics Service selects them. */}}
{{- define "scrubd.embeddedSelectorLabels" -}}
scrubd-sidecar: {{ include "scrubd.fullname" . }}
{{- end -}}

{{/* The labels that select the pods scrubd runs in: its own (standalone, sidecar), or the
application's (embedded). */}}
{{- define "scrubd.podSelectorLabels" -}}
{{- if eq .Values.mode "embedded" -}}
{{ include "scrubd.embeddedSelectorLabels" . }}
{{- else -}}
{{ include "scrubd.selectorLabels" . }}
{{- end -}}
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
geoip: /var/lib/scrubd/geoip
{{- end -}}

{{/* Checks of the values that the schema cannot express. */}}
{{- define "scrubd.validate" -}}
{{- $v := .Values -}}
{{- if not (has $v.mode (list "standalone" "sidecar" "embedded")) -}}
{{- fail (printf "mode must be standalone, sidecar or embedded, not %q" $v.mode) -}}
{{- end -}}
{{- if eq $v.mode "sidecar" -}}
{{- if not $v.sidecar.containers -}}
{{- fail "mode sidecar needs the application's containers in sidecar.containers" -}}
{{- end -}}
{{- end -}}
{{- if and (ne $v.mode "standalone") (not (semverCompare ">=1.29.0-0" .Capabilities.KubeVersion.Version)) -}}
{{- fail (printf "mode %s needs native sidecars (Kubernetes >= 1.29), the cluster is %s" $v.mode .Capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- if and $v.hmacKeys.secretName $v.hmacKeys.ephemeral -}}
{{- fail "hmacKeys: set secretName or ephemeral: true, not both" -}}
{{- end -}}
{{- if not (or $v.hmacKeys.secretName $v.hmacKeys.ephemeral) -}}
{{- fail "hmacKeys.secretName is required (a Secret with the HMAC keys); for a trial with a random key per process, set hmacKeys.ephemeral: true instead" -}}
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
{{- if $v.geoip.enabled -}}
{{- if eq (empty $v.geoip.volume) (empty $v.geoip.existingVolume) -}}
{{- fail "geoip.enabled needs the database's volume: geoip.volume (a volume source) or geoip.existingVolume (the name of a pod volume), one of them" -}}
{{- end -}}
{{- end -}}
{{- if and $v.topics.residency (not $v.geoip.enabled) -}}
{{- fail "topics.residency needs geoip.enabled: without a GeoIP database every record goes to topics.clean" -}}
{{- end -}}
{{- if $v.vault.enabled -}}
{{- if not $v.vault.secretName -}}
{{- fail "vault.enabled needs vault.secretName (the Secret with the master keys)" -}}
{{- end -}}
{{- if ne $v.delivery "exactly_once" -}}
{{- fail "vault.enabled needs delivery exactly_once (vault records commit with the clean record)" -}}
{{- end -}}
{{- if $v.hmacKeys.ephemeral -}}
{{- fail "vault.enabled with hmacKeys.ephemeral: the vault's pseudonyms would mean nothing after a restart" -}}
{{- end -}}
{{- end -}}
{{- if and $v.aggregates.enabled (ne $v.delivery "exactly_once") -}}
{{- fail "aggregates.enabled needs delivery exactly_once (window state is checkpointed in the transactions)" -}}
{{- end -}}
{{- range $k := list "http" "shutdown" "policy" "policy_file" -}}
{{- if hasKey $v.extraConfig $k -}}
{{- fail (printf "extraConfig.%s is managed by the chart (see httpPort, shutdownTimeoutSeconds, policy)" $k) -}}
{{- end -}}
{{- end -}}
{{- if and (hasKey $v.extraConfig "kafka") (hasKey (get $v.extraConfig "kafka") "transactional_id") -}}
{{- fail "extraConfig.kafka.transactional_id is set per pod by the chart (SCRUBD_KAFKA_TRANSACTIONAL_ID)" -}}
{{- end -}}
{{- if and (hasKey $v.extraConfig "geoip") (hasKey (get $v.extraConfig "geoip") "database") -}}
{{- fail "extraConfig.geoip.database is managed by the chart: use geoip.enabled, geoip.volume and geoip.file" -}}
{{- end -}}
{{- if and (hasKey $v.extraConfig "vault") (hasKey (get $v.extraConfig "vault") "master_keys") -}}
{{- fail "extraConfig.vault.master_keys is managed by the chart: use vault.secretName and vault.active" -}}
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
{{- if $v.topics.residency -}}
{{- $_ := set $topics "residency" $v.topics.residency -}}
{{- end -}}
{{- $cfg := dict "kafka" $kafka "topics" $topics "delivery" $v.delivery "log" (dict "level" $v.logLevel) -}}
{{- $_ := set $cfg "http" (dict "addr" (printf ":%d" (int $v.httpPort))) -}}
{{- $_ := set $cfg "shutdown" (dict "timeout" (printf "%ds" (int $v.shutdownTimeoutSeconds))) -}}
{{- $_ := set $cfg "policy_file" (printf "%s/%s" $p.policy $v.policy.key) -}}
{{- if $v.deadLetterKey.secretName -}}
{{- $_ := set $cfg "dead_letter" (dict "key_file" (printf "%s/key" $p.deadLetter)) -}}
{{- end -}}
{{- if $v.geoip.enabled -}}
{{- $_ := set $cfg "geoip" (dict "database" (printf "%s/%s" $p.geoip $v.geoip.file) "poll_interval" $v.geoip.pollInterval) -}}
{{- end -}}
{{- if $v.privacy.enabled -}}
{{- $_ := set $cfg "privacy" (dict "enabled" true "topic" $v.privacy.topic) -}}
{{- end -}}
{{- if $v.vault.enabled -}}
{{- $mk := dict "dir" $p.vault -}}
{{- if $v.vault.active -}}
{{- $_ := set $mk "active" $v.vault.active -}}
{{- end -}}
{{- $_ := set $cfg "vault" (dict "enabled" true "master_keys" $mk) -}}
{{- end -}}
{{- if $v.aggregates.enabled -}}
{{- $agg := dict "enabled" true "window" $v.aggregates.window "allowed_lateness" $v.aggregates.allowedLateness "k" (int $v.aggregates.k) -}}
{{- if $v.aggregates.dims -}}
{{- $_ := set $agg "dims" $v.aggregates.dims -}}
{{- end -}}
{{- $_ := set $cfg "aggregates" $agg -}}
{{- end -}}
{{- $merged := mustMergeOverwrite $cfg (deepCopy $v.extraConfig) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/* policy.yaml of the inline policy. With hmacKeys.ephemeral it says keys.ephemeral: true:
scrubd then makes a random key per process (scrubd run refuses to start with no keys
otherwise); the "ephemeral keys" case of deploy/kubernetes/helm_test.go runs scrubd validate
on it. */}}
{{- define "scrubd.policy" -}}
{{- $v := .Values -}}
{{- $p := include "scrubd.paths" . | fromYaml -}}
{{- $pol := deepCopy (default dict $v.policy.inline) -}}
{{- if and $v.hmacKeys.secretName (not (hasKey $pol "keys")) -}}
{{- $_ := set $pol "keys" (dict "dir" $p.keys) -}}
{{- end -}}
{{- if $v.hmacKeys.ephemeral -}}
{{- $keys := default dict (get $pol "keys") -}}
{{- $_ := set $keys "ephemeral" true -}}
{{- $_ := set $pol "keys" $keys -}}
{{- end -}}
{{- if $v.hmacKeys.active -}}
{{- $keys := default dict (get $pol "keys") -}}
{{- $_ := set $keys "active" $v.hmacKeys.active -}}
{{- $_ := set $pol "keys" $keys -}}
{{- end -}}
{{- toYaml $pol -}}
{{- end -}}

{{/* Seconds the pod needs to stop: scrubd's shutdown.timeout + 5 s of run.go's grace + 5 s of
HTTP shutdown, the margin, and the application's own time when scrubd is its sidecar. An
application chart in embedded mode sets its pod's terminationGracePeriodSeconds with it. */}}
{{- define "scrubd.terminationGrace" -}}
{{- $s := add (int .Values.shutdownTimeoutSeconds) 10 (int .Values.terminationGraceMarginSeconds) -}}
{{- if ne .Values.mode "standalone" -}}
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

{{/* The volume mounts of the files the run configuration names. With "extra" true, the
extraVolumeMounts too (the workload; the test hook leaves them out). Argument: dict "ctx"
(the chart's context) "extra" (bool). */}}
{{- define "scrubd.volumeMounts" -}}
{{- $v := .ctx.Values -}}
{{- $p := include "scrubd.paths" .ctx | fromYaml -}}
- {name: scrubd-config, mountPath: {{ $p.config }}, readOnly: true}
- {name: scrubd-policy, mountPath: {{ $p.policy }}, readOnly: true}
{{- if $v.hmacKeys.secretName }}
- {name: scrubd-hmac-keys, mountPath: {{ $p.keys }}, readOnly: true}
{{- end }}
{{- if $v.deadLetterKey.secretName }}
- {name: scrubd-dead-letter-key, mountPath: {{ $p.deadLetter }}, readOnly: true}
{{- end }}
{{- if $v.vault.enabled }}
- {name: scrubd-vault-keys, mountPath: {{ $p.vault }}, readOnly: true}
{{- end }}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.secretName }}
- {name: scrubd-kafka-tls, mountPath: {{ $p.kafkaTLS }}, readOnly: true}
{{- end }}
{{- if $v.kafka.sasl.mechanism }}
- {name: scrubd-kafka-sasl, mountPath: {{ $p.kafkaSASL }}, readOnly: true}
{{- end }}
{{- if and .extra $v.geoip.enabled }}
- {name: {{ default "scrubd-geoip" $v.geoip.existingVolume }}, mountPath: {{ $p.geoip }}, readOnly: true}
{{- end }}
{{- if .extra }}
{{- with $v.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The scrubd container, without the list dash. Argument: dict "ctx" (the chart's context)
"native" (bool: a native sidecar, an initContainers entry with restartPolicy Always). */}}
{{- define "scrubd.containerSpec" -}}
{{- $v := .ctx.Values -}}
{{- $p := include "scrubd.paths" .ctx | fromYaml -}}
name: scrubd
image: {{ include "scrubd.image" .ctx }}
imagePullPolicy: {{ $v.image.pullPolicy }}
{{- if .native }}
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
  {{- with include "scrubd.goMemLimit" .ctx }}
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
  {{- include "scrubd.volumeMounts" (dict "ctx" .ctx "extra" true) | nindent 2 }}
{{- end -}}

{{/* The scrubd container of a standalone Deployment, as a list item. */}}
{{- define "scrubd.container" -}}
- {{ include "scrubd.containerSpec" (dict "ctx" . "native" false) | indent 2 | trimPrefix "  " }}
{{- end -}}

{{/* Public: scrubd as a native sidecar, a list item for the initContainers of a pod spec
(Kubernetes >= 1.29): it starts before the application's containers and stops after them.
An application chart that depends on this chart (mode: embedded) includes it with the
subchart's scope:

  initContainers:
    {{- include "scrubd.sidecar" .Subcharts.scrubd | nindent 4 }}

It needs scrubd.sidecarVolumes in the same pod, and the pod settings of
deploy/helm/example-app: securityContext.fsGroup 65532 (the mounted Secrets are 0440),
enableServiceLinks: false, terminationGracePeriodSeconds from scrubd.terminationGrace. */}}
{{- define "scrubd.sidecar" -}}
{{- include "scrubd.validate" . -}}
- {{ include "scrubd.containerSpec" (dict "ctx" . "native" true) | indent 2 | trimPrefix "  " }}
{{- end -}}

{{/* The volumes of the files scrubd reads: the run configuration, the policy and the
Secrets. Directories, never subPath: Kubernetes swaps them atomically. */}}
{{- define "scrubd.coreVolumes" -}}
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
{{- if $v.vault.enabled }}
# One file per master key id (vault.master_keys.dir).
- name: scrubd-vault-keys
  secret:
    secretName: {{ $v.vault.secretName }}
    defaultMode: 0440
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
{{- end -}}

{{/* Public: every volume scrubd.sidecar mounts, as list items for the volumes of the same
pod spec (the core volumes, the GeoIP volume unless geoip.existingVolume names one of the
pod's, and extraVolumes):

  volumes:
    {{- include "scrubd.sidecarVolumes" .Subcharts.scrubd | nindent 4 }}
*/}}
{{- define "scrubd.sidecarVolumes" -}}
{{- $v := .Values -}}
{{ include "scrubd.coreVolumes" . }}
{{- if and $v.geoip.enabled $v.geoip.volume }}
- name: scrubd-geoip
  {{- toYaml $v.geoip.volume | nindent 2 }}
{{- end }}
{{- with $v.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The volumes of a standalone or sidecar-mode pod: the same as scrubd.sidecarVolumes. */}}
{{- define "scrubd.volumes" -}}
{{ include "scrubd.sidecarVolumes" . }}
{{- end -}}

{{/* Public: labels for the application's pod template in embedded mode; the chart's metrics
Service selects the pods by them. */}}
{{- define "scrubd.sidecarPodLabels" -}}
{{ include "scrubd.embeddedSelectorLabels" . }}
{{- end -}}

{{/* Public: annotations for the application's pod template in embedded mode: a checksum of
the run configuration, so that a change of it rolls the pods (the policy reloads in place). */}}
{{- define "scrubd.sidecarPodAnnotations" -}}
checksum/scrubd-config: {{ include "scrubd.configDict" . | sha256sum }}
{{- if and .Values.policy.restartOnChange (not .Values.policy.existingConfigMap) }}
checksum/scrubd-policy: {{ include "scrubd.policy" . | sha256sum }}
{{- end }}
{{- end -}}

{{/* Public: NetworkPolicy ingress rules scrubd needs (its metrics port), as list items. */}}
{{- define "scrubd.networkPolicyIngress" -}}
{{- $np := .Values.networkPolicy -}}
- from:
    {{- toYaml $np.metrics.from | nindent 4 }}
  ports:
    - {protocol: TCP, port: {{ .Values.httpPort }}}
{{- with $np.extraIngress }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Public: NetworkPolicy egress rules scrubd needs (the Kafka brokers, DNS), as list items. */}}
{{- define "scrubd.networkPolicyEgress" -}}
{{- $np := .Values.networkPolicy -}}
- to:
    {{- toYaml $np.kafka.to | nindent 4 }}
  ports:
    {{- range $np.kafka.ports }}
    - {protocol: TCP, port: {{ . }}}
    {{- end }}
{{- if $np.dns.enabled }}
- to:
    {{- toYaml $np.dns.to | nindent 4 }}
  ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
{{- end }}
{{- with $np.extraEgress }}
{{ toYaml . }}
{{- end }}
{{- end -}}
