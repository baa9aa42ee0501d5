#!/usr/bin/env bash
# The scrubd container image, built and checked without a Docker engine or a registry.
#
#   deploy/image.sh build    bin/scrubd-image.tar: an OCI archive built with buildah from
#                            scratch (make image)
#   deploy/image.sh check    build, then run `scrubd version`, `scrubd validate` and a
#                            user check inside it, and check the archive itself with
#                            `go test ./deploy -run TestImageArchive` (make image-check,
#                            part of make test)
#
# The image is what deploy/Dockerfile builds on gcr.io/distroless/static-debian12:nonroot,
# assembled from what distroless gives instead of pulled: a static binary (CGO_ENABLED=0),
# the host's CA bundle (/etc/ssl/certs/ca-certificates.crt), passwd and group entries for
# root, nobody and nonroot (65532), /home/nonroot and /tmp, and the default configuration;
# the same user, entrypoint, command, exposed port and labels as the Dockerfile (the test
# compares them). Use it where the distroless base cannot be pulled; the Dockerfile stays for
# registries and CI that can.
#
# It installs buildah (Debian's package) when missing and runs it as root with the vfs storage
# driver and chroot isolation, in a storage directory of its own under the cache, which it
# empties after each run.
#
# Environment (optional):
#   VERSION             stamped into the binary and the version label (git describe)
#   SCRUBD_IMAGE_OUT    the archive to write                           (bin/scrubd-image.tar)
#   SCRUBD_CACHE        cache root for buildah's storage               ($HOME/.cache/scrubd)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${SCRUBD_IMAGE_OUT:-bin/scrubd-image.tar}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
CACHE_ROOT="${SCRUBD_CACHE:-${HOME:-/root}/.cache/scrubd}"
STORE="$CACHE_ROOT/buildah"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { printf '==> %s\n' "$*" >&2; }
die() {
	printf 'deploy/image.sh: %s\n' "$*" >&2
	exit 1
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_install installs Debian packages, updating the package lists once if needed.
apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	if ! as_root apt-get install -y -q --no-install-recommends "$@" >/tmp/scrubd-apt-image.log 2>&1; then
		as_root apt-get update -q >>/tmp/scrubd-apt-image.log 2>&1
		as_root apt-get install -y -q --no-install-recommends "$@" >>/tmp/scrubd-apt-image.log 2>&1 ||
			{
				cat /tmp/scrubd-apt-image.log >&2
				die "cannot install $*"
			}
	fi
}

ensure_tools() {
	if ! command -v buildah >/dev/null 2>&1; then
		log "installing buildah (Debian package)"
		apt_install buildah
	fi
	if [ ! -s "$CA_BUNDLE" ]; then
		log "installing ca-certificates (Debian package) for the CA bundle"
		apt_install ca-certificates
	fi
	[ "$(id -u)" -eq 0 ] || die "buildah with the vfs driver and chroot isolation runs as root here; run as root"
}

B=(buildah --root "$STORE/storage" --runroot "$STORE/run" --storage-driver vfs)

# wipe removes every container and image of the script's own storage.
wipe() {
	if [ -d "$STORE" ]; then
		"${B[@]}" rm --all >/dev/null 2>&1 || true
		"${B[@]}" rmi --all --force >/dev/null 2>&1 || true
	fi
}

# WORK is the build's scratch directory; on exit it is removed and the storage wiped.
WORK=""
cleanup() {
	wipe
	if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

build() {
	ensure_tools
	local work c mnt arch created
	WORK=$(mktemp -d)
	work=$WORK
	arch=$(go env GOARCH)
	log "building the static binary (linux/$arch, version $VERSION)"
	CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=$VERSION" -o "$work/scrubd" ./cmd/scrubd

	log "assembling the image from scratch with buildah"
	mkdir -p "$STORE"
	wipe
	c=$("${B[@]}" from scratch)
	mnt=$("${B[@]}" mount "$c")
	install -d -m 0755 "$mnt/etc" "$mnt/etc/ssl" "$mnt/etc/ssl/certs" "$mnt/etc/scrubd" "$mnt/home"
	install -m 0755 "$work/scrubd" "$mnt/scrubd"
	install -m 0644 "$CA_BUNDLE" "$mnt/etc/ssl/certs/ca-certificates.crt"
	# The configuration the image runs with when none is mounted (the Dockerfile's too).
	install -m 0644 deploy/scrubd.yaml "$mnt/etc/scrubd/scrubd.yaml"
	# The users and groups of distroless: root, nobody and nonroot (65532).
	printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
		'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
		'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$work/passwd"
	printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$work/group"
	install -m 0644 "$work/passwd" "$mnt/etc/passwd"
	install -m 0644 "$work/group" "$mnt/etc/group"
	install -d -m 0700 -o 65532 -g 65532 "$mnt/home/nonroot"
	install -d -m 1777 "$mnt/tmp"
	"${B[@]}" umount "$c" >/dev/null

	# The same settings as the final stage of deploy/Dockerfile (TestImageArchive compares).
	"${B[@]}" config \
		--os linux --arch "$arch" \
		--user 65532:65532 \
		--port 9790/tcp \
		--entrypoint '["/scrubd"]' \
		--cmd '["run", "--config", "/etc/scrubd/scrubd.yaml"]' \
		--label org.opencontainers.image.title=scrubd \
		--label 'org.opencontainers.image.description=PII-scrubbing Kafka sidecar' \
		--label org.opencontainers.image.source=https://github.com/scrubd/scrubd \
		--label "org.opencontainers.image.version=$VERSION" \
		--created-by "deploy/image.sh (buildah from scratch)" \
		"$c"
	mkdir -p "$(dirname "$OUT")"
	rm -f "$OUT"
	created=$(git log -1 --format=%ct 2>/dev/null || date +%s)
	"${B[@]}" commit --quiet --rm --timestamp "$created" --format oci "$c" "oci-archive:$OUT:scrubd:$VERSION" >/dev/null
	wipe
	rm -rf "$WORK"
	WORK=""
	log "wrote $OUT ($(du -h "$OUT" | cut -f1))"
}

# run_in runs the image's /scrubd with arguments in container $1, printing its output.
run_in() {
	local c=$1
	shift
	"${B[@]}" run --isolation chroot "$c" -- /scrubd "$@"
}

check() {
	build
	local c out rc=0
	log "checking $OUT inside buildah"
	c=$("${B[@]}" from --quiet "oci-archive:$OUT")

	out=$(run_in "$c" version) || die "scrubd version failed in the image: $out"
	echo "$out"
	[ "$out" = "scrubd $VERSION" ] || die "scrubd version printed \"$out\", want \"scrubd $VERSION\""

	# The default configuration names no HMAC keys: validate (like run) refuses it with exit 78
	# and says how to configure them. With a policy that allows an ephemeral key it passes.
	rc=0
	out=$(run_in "$c" validate --config /etc/scrubd/scrubd.yaml 2>&1) || rc=$?
	[ "$rc" = 78 ] || die "scrubd validate of the default configuration without keys exited $rc, want 78: $out"
	case "$out" in
	*"no HMAC key configured"*) echo "without keys: exit 78, $out" | cut -c1-120 ;;
	*) die "scrubd validate without keys did not say why: $out" ;;
	esac
	rc=0
	"${B[@]}" copy --chown 65532:65532 --chmod 0644 "$c" deploy/examples/policy-dev.yaml /tmp/policy-dev.yaml >/dev/null
	out=$("${B[@]}" run --isolation chroot --env SCRUBD_POLICY_FILE=/tmp/policy-dev.yaml "$c" -- /scrubd validate --config /etc/scrubd/scrubd.yaml 2>&1) ||
		die "scrubd validate of the default configuration with an ephemeral-key policy failed in the image: $out"
	echo "$out"

	# Runs as 65532, not root: a root-only file is refused, the same file owned by 65532 read.
	# (The files are copied into this throwaway container, never into the image.)
	"${B[@]}" copy --chown 0:0 --chmod 0600 "$c" deploy/examples/scrubd.yaml /root-only.yaml >/dev/null
	"${B[@]}" copy --chown 65532:65532 --chmod 0600 "$c" deploy/examples/scrubd.yaml /nonroot-only.yaml >/dev/null
	if out=$(run_in "$c" validate --config /root-only.yaml 2>&1); then
		die "scrubd read a file only root may read: the image does not run as a non-root user"
	fi
	case "$out" in
	*"permission denied"*) echo "runs as non-root: a root-only file is refused (permission denied)" ;;
	*) die "reading a root-only file failed, but not for permissions: $out" ;;
	esac
	out=$("${B[@]}" run --isolation chroot --env SCRUBD_POLICY_FILE=/tmp/policy-dev.yaml "$c" -- /scrubd validate --config /nonroot-only.yaml 2>&1) ||
		die "scrubd cannot read a file of user 65532: $out"

	log "checking the archive: go test ./deploy -run TestImageArchive"
	wipe
	SCRUBD_IMAGE="$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")" SCRUBD_IMAGE_VERSION="$VERSION" SCRUBD_REQUIRE_IMAGE=1 \
		go test -count=1 -run '^TestImageArchive$' ./deploy/ || rc=$?
	return "$rc"
}

case "${1:-}" in
build) build ;;
check) check ;;
*)
	echo "usage: deploy/image.sh build|check" >&2
	exit 2
	;;
esac
