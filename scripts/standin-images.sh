#!/usr/bin/env bash
# Build LOCAL STAND-INS for the base images of tradewatch's Dockerfile in the Docker engine that
# DOCKER_HOST points at, tagged like the real ones:
#
#   denoland/deno:2.9.6                     Debian bookworm (debootstrap) + this host's deno 2.9.6
#   gcr.io/distroless/cc-debian12:nonroot   glibc + libgcc_s + CA bundle + passwd, no shell
#   PROMETHEUS_IMAGE, ALERTMANAGER_IMAGE    (only when set, e.g. prom/prometheus:v3.5.0) this
#                                           host's Debian prometheus / prometheus-alertmanager
#
# For machines that reach no container registry (CI here). Never push these images.
#
# The debootstrap rootfs (~25 s to make) is cached as a tarball in $TRADEWATCH_CI_CACHE
# (default /var/cache/tradewatch-ci), so re-runs only import and build (a few seconds).
#
# Usage: DOCKER_HOST=unix:///path/docker.sock scripts/standin-images.sh
# Env:   DOCKER (client, default /usr/bin/docker), DENO_BIN (default: deno on PATH),
#        CA_BUNDLE (default /etc/ssl/certs/ca-certificates.crt), DEBIAN_MIRROR,
#        PROMETHEUS_IMAGE, ALERTMANAGER_IMAGE (tags for the optional monitoring stand-ins),
#        DATABASE_IMAGES=1 (PostgreSQL, Redis and their exporters for compose.replicas.yaml).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
docker=${DOCKER:-/usr/bin/docker}
cache=${TRADEWATCH_CI_CACHE:-/var/cache/tradewatch-ci}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
deno_bin=${DENO_BIN:-$(command -v deno)}
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
deno_version=2.9.6
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
rootfs_tar="$cache/bookworm-minbase-$arch.tar"

say() { printf 'standin-images: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[[ $arch == amd64 ]] || die "only amd64 is supported, this host is $arch"
[[ -x $docker ]] || die "no docker client at $docker"
[[ -n $deno_bin && -x $deno_bin ]] || die "no deno binary found (set DENO_BIN)"
"$deno_bin" --version | head -n 1 | grep -q "^deno $deno_version " ||
  die "the stand-in needs deno $deno_version, $deno_bin is $("$deno_bin" --version | head -n 1)"
[[ -r $ca_bundle ]] || die "no CA bundle at $ca_bundle"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The Debian bookworm minbase rootfs, made once and cached.
if [[ ! -s $rootfs_tar ]]; then
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  mkdir -p "$cache"
  say "debootstrap --variant=minbase bookworm (once; cached in $rootfs_tar)"
  for attempt in 1 2; do # one retry: a mirror hiccup should not fail a CI run
    if debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
      break
    fi
    tail -n 20 "$work/debootstrap.log" >&2
    [[ $attempt == 2 ]] && die "debootstrap failed twice"
    say "debootstrap failed, retrying once"
    rm -rf "$work/rootfs"
  done
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
  mv "$work/rootfs.tar" "$rootfs_tar"
  rm -rf "$work/rootfs"
fi

# 2. Import it as the common base of both stand-ins.
say "importing $rootfs_tar"
"$docker" import "$rootfs_tar" tradewatch-ci/bookworm-minbase:latest >/dev/null

# 3. Build the stand-ins (classic builder: no BuildKit frontend image to pull).
ctx="$work/ctx"
mkdir -p "$ctx"
cp "$ca_bundle" "$ctx/ca-certificates.crt"
cp "$deno_bin" "$ctx/deno"

say "building denoland/deno:$deno_version (stand-in)"
DOCKER_BUILDKIT=0 "$docker" build --quiet --network none -f "$here/standin/deno.Dockerfile" \
  -t "denoland/deno:$deno_version" "$ctx" >/dev/null

rm -f "$ctx/deno"
say "building gcr.io/distroless/cc-debian12:nonroot (stand-in)"
DOCKER_BUILDKIT=0 "$docker" build --quiet --network none -f "$here/standin/distroless.Dockerfile" \
  -t gcr.io/distroless/cc-debian12:nonroot -t gcr.io/distroless/cc-debian12:latest "$ctx" >/dev/null

# 4. Optional: Prometheus and Alertmanager stand-ins from this host's Debian binaries.
standin_binary() { # TAG BINARY NAME DOCKERFILE
  [[ -x $2 ]] || die "$2 is missing (apt-get install prometheus prometheus-alertmanager)"
  rm -f "$ctx/$3"
  cp "$2" "$ctx/$3"
  say "building $1 (stand-in running $("$2" --version 2>&1 | head -n 1))"
  DOCKER_BUILDKIT=0 "$docker" build --quiet --network none -f "$here/standin/$4" -t "$1" "$ctx" >/dev/null
  rm -f "$ctx/$3"
}
if [[ -n ${PROMETHEUS_IMAGE:-} ]]; then
  standin_binary "$PROMETHEUS_IMAGE" /usr/bin/prometheus prometheus prometheus.Dockerfile
fi
if [[ -n ${ALERTMANAGER_IMAGE:-} ]]; then
  # Debian's Alertmanager reads its notification templates from /usr/share (not embedded).
  rm -rf "$ctx/alertmanager-share"
  cp -r /usr/share/prometheus/alertmanager "$ctx/alertmanager-share"
  standin_binary "$ALERTMANAGER_IMAGE" /usr/bin/prometheus-alertmanager alertmanager alertmanager.Dockerfile
fi

# 5. Optional: the scaled-out stack's databases and exporters (compose.replicas.yaml), from
# Debian's packages (apt inside the build: needs the Debian mirror, as debootstrap does).
if [[ -n ${DATABASE_IMAGES:-} ]]; then
  cp "$here/standin/postgres-entrypoint.sh" "$ctx/postgres-entrypoint.sh"
  for pair in postgres=postgres:15 redis=redis:7 \
    postgres_exporter=quay.io/prometheuscommunity/postgres-exporter:v0.15.0 \
    redis_exporter=oliver006/redis_exporter:v1.62.0; do
    say "building ${pair#*=} (stand-in: Debian's package)"
    DOCKER_BUILDKIT=0 "$docker" build --quiet --network host -f "$here/standin/databases.Dockerfile" \
      --target "${pair%%=*}" -t "${pair#*=}" "$ctx" >/dev/null
  done
fi

say "done"
