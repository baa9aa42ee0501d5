#!/usr/bin/env bash
# Offline checks of everything under deploy/ that is not the local Kafka:
#
#   promtool check rules    deploy/prometheus/alerts.yaml (and the chart's copy)
#   promtool test rules     deploy/prometheus/alerts_test.yaml (each alert fires and stays quiet)
#   helm lint --strict      the chart with default values, every option on, sidecar and
#                           embedded mode, and the example application chart that embeds it
#   go test ./deploy/...    manifests and rendered chart decoded strictly into Kubernetes API
#                           types, their invariants, the run configuration and policy loaded
#                           with scrubd's own loaders and checked by `scrubd validate` as the
#                           chart's helm test hook runs it, metric names of alerts and dashboard
#                           against what the binary exports, the Dockerfile
#
# It installs what it needs: promtool from Debian's `prometheus` package (apt-get), helm
# built from the Go module proxy into the cache. Nothing else is downloaded; no cluster, no
# Docker engine. Exits non-zero when any check fails.
#
# Environment (optional):
#   SCRUBD_CACHE   cache root for tools               ($HOME/.cache/scrubd)
#   HELM           helm binary to use instead of the cached build
#   PROMTOOL       promtool binary to use
set -euo pipefail

HELM_VERSION=v3.22.0
# Native sidecars need 1.29; render sidecar mode as for a current cluster.
KUBE_VERSION=1.31.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CACHE_ROOT="${SCRUBD_CACHE:-${HOME:-/root}/.cache/scrubd}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_promtool() {
	if [ -n "${PROMTOOL:-}" ]; then return; fi
	if command -v promtool >/dev/null 2>&1; then PROMTOOL=$(command -v promtool); return; fi
	log "installing promtool (Debian package prometheus)"
	export DEBIAN_FRONTEND=noninteractive
	if ! as_root apt-get install -y -q --no-install-recommends prometheus >/tmp/scrubd-apt.log 2>&1; then
		as_root apt-get update -q >>/tmp/scrubd-apt.log 2>&1
		as_root apt-get install -y -q --no-install-recommends prometheus >>/tmp/scrubd-apt.log 2>&1 ||
			{ cat /tmp/scrubd-apt.log >&2; echo "deploy/check.sh: cannot install promtool" >&2; exit 1; }
	fi
	PROMTOOL=$(command -v promtool)
}

ensure_helm() {
	if [ -n "${HELM:-}" ]; then return; fi
	local dir="$CACHE_ROOT/tools/helm-$HELM_VERSION"
	HELM="$dir/helm"
	if [ -x "$HELM" ]; then return; fi
	log "building helm $HELM_VERSION from the Go module proxy into $dir (once; a few minutes)"
	mkdir -p "$dir"
	# Outside the module, so that scrubd's go.mod is neither read nor changed.
	(cd "$dir" && GOBIN="$dir" GOFLAGS=-buildvcs=false go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
}

# lint_example_app lints deploy/helm/example-app, which depends on the scrubd chart through
# file://../scrubd, on copies of both charts: `helm dependency build` writes charts/ and
# Chart.lock, which stay out of the repository.
lint_example_app() {
	local tmp rc=0
	tmp=$(mktemp -d)
	cp -r deploy/helm/scrubd deploy/helm/example-app "$tmp/"
	"$HELM" dependency build "$tmp/example-app" >/dev/null &&
		"$HELM" lint --strict "$tmp/example-app" --kube-version "$KUBE_VERSION" || rc=$?
	rm -rf "$tmp"
	return "$rc"
}

passed=0
failed=0
failures=()
step() {
	local name=$1
	shift
	local start=$SECONDS
	log "$name"
	if "$@"; then
		passed=$((passed + 1))
		log "ok: $name ($((SECONDS - start)) s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		log "FAILED: $name ($((SECONDS - start)) s)"
	fi
}

ensure_promtool
ensure_helm
log "promtool: $("$PROMTOOL" --version 2>&1 | head -1)"
log "helm: $("$HELM" version --short 2>&1)"

CHART=deploy/helm/scrubd
step "promtool check rules" "$PROMTOOL" check rules deploy/prometheus/alerts.yaml "$CHART/files/alerts.yaml"
step "promtool test rules" "$PROMTOOL" test rules deploy/prometheus/alerts_test.yaml
step "helm lint (default values)" "$HELM" lint --strict "$CHART"
step "helm lint (every option on)" "$HELM" lint --strict "$CHART" -f "$CHART/ci/all-on-values.yaml"
step "helm lint (sidecar mode)" "$HELM" lint --strict "$CHART" -f "$CHART/ci/sidecar-values.yaml" --kube-version "$KUBE_VERSION"
step "helm lint (embedded mode)" "$HELM" lint --strict "$CHART" --set mode=embedded --kube-version "$KUBE_VERSION"
step "helm lint (example application chart)" lint_example_app
step "go test ./deploy/..." env SCRUBD_HELM="$HELM" SCRUBD_REQUIRE_HELM=1 go test -count=1 ./deploy/...

echo "deploy checks: $passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
	printf '  failed: %s\n' "${failures[@]}" >&2
	exit 1
fi
