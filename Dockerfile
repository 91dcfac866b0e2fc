# Airbyte destination connector image: Dotdigital programs.
#
# BASE_IMAGE must be a Node 24 (LTS until April 2028; Node 20 reached its end of life in April 2026)
# image on Debian bookworm with node and npm on PATH and a `node` user of uid 1000, as the official image has. Where no registry is reachable, scripts/build-base-image.sh builds
# a local stand-in and prints its tag; the container tests pass it here:
#   docker build --network host --build-arg BASE_IMAGE="$(scripts/build-base-image.sh)" .
ARG BASE_IMAGE=node:24-bookworm-slim

# npm takes its registry from the machine's npm config (nothing registry-specific is written here), so
# these stages need network access to it: build with --network host where containers have no other route.
# (If a build cannot reach the registry at all, the fallback is a stage that copies a node_modules
# installed on the host from the build context; .dockerignore would then have to let node_modules in.)

FROM ${BASE_IMAGE} AS production-dependencies
# No "new npm version" check: it is one more registry request and only adds noise to the build log.
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /deps
COPY package.json package-lock.json ./
# A clean install of the runtime dependencies only: pruning a full install leaves empty scope folders of
# dev packages behind. --ignore-scripts: no runtime dependency needs an install script.
# Type declarations, TypeScript sources and source maps in the packages are never loaded at run time;
# they are half of node_modules by size.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -type f \( -name '*.ts' -o -name '*.cts' -o -name '*.mts' -o -name '*.map' \) -delete

# emulator/Dockerfile starts its build stage with the same steps, to share the full `npm ci` layer.
FROM ${BASE_IMAGE} AS build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json spec.json ./
COPY src ./src
# Only src/ is in this stage, so dist/ gets the connector alone (not the emulator, bench or demo): dist/src
# and the dist/spec.json that src/commands/spec.ts imports. Source maps are off in tsconfig.json.
RUN npm run build

FROM ${BASE_IMAGE}
ENV NODE_ENV=production
WORKDIR /airbyte/integration_code
COPY --from=production-dependencies /deps/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY spec.json package.json ./
# The `node` user by number, so an orchestrator's runAsNonRoot check can verify it without reading
# /etc/passwd. The code stays owned by root: the connector cannot alter itself.
USER 1000:1000
# A young generation of at most 8 MB per semi-space instead of V8's 16: measured on a 1,000,000-record
# write, peak RSS 180 MB instead of 196 MB at the same speed (4 MB saved 32 MB more but cost 12% of the
# CPU-bound throughput). A flag here rather than in NODE_OPTIONS, which users set for their own reasons.
#
# The platform ignores ENTRYPOINT: its launcher runs `sh -c` with `(eval "$AIRBYTE_ENTRYPOINT write …" <
# stdin > stdout) &` and stops the connector with `kill` of that subshell's PID (airbyte-platform,
# airbyte-workload-launcher/…/pods/factories/ContainerCommandFactory.kt). `exec` makes eval replace the
# subshell with node, so that kill's SIGTERM reaches node, which then echoes the true states and ends
# with a TRACE; without it the shell dies and node runs on, orphaned, until the pod is deleted.
ENV AIRBYTE_ENTRYPOINT="exec node --max-semi-space-size=8 /airbyte/integration_code/dist/src/main.js"
ENTRYPOINT ["node", "--max-semi-space-size=8", "/airbyte/integration_code/dist/src/main.js"]
LABEL io.airbyte.name=dotdigitalprograms/destination-dotdigital-programs
LABEL io.airbyte.version=0.1.0
