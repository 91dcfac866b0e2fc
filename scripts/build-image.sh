#!/usr/bin/env bash
# Builds the connector image from the project's Dockerfile, tagged $1 (default
# dotdigitalprograms/destination-dotdigital-programs:dev). The base is CONNECTOR_BASE_IMAGE when set (e.g. the real
# node:24-bookworm-slim where a registry is reachable), else the local stand-in that
# scripts/build-base-image.sh makes. Used by `npm run demo -- --docker`.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-dotdigitalprograms/destination-dotdigital-programs:dev}"
base="${CONNECTOR_BASE_IMAGE:-$(bash scripts/build-base-image.sh)}"
echo "build-image: $tag on $base" >&2
docker build --network host --build-arg "BASE_IMAGE=$base" --tag "$tag" . >&2
