# Countersign's image: one image, two roles (`node lib/worker.js`, `node lib/server.js`), and
# the operator CLI (`countersign list`), all compiled JavaScript: no TypeScript source, tsx,
# simulators or demo in it. Checked statically by test/unit/deploy-files.test.ts, and the
# paths it runs by test/integration/compiled-package.test.ts; no Docker engine runs on the
# build machines, so build it once yourself before relying on it.
# Node 22 LTS; package.json still allows 20 for development machines and CI.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# ---- build: dependencies, TypeScript, and the workflow bundle ------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The Temporal CLI and test server (postinstall) are for `npm start` and tests, not images.
ENV COUNTERSIGN_SKIP_TEMPORAL_INSTALL=1
COPY package.json package-lock.json ./
# The postinstall script runs during the install (and skips itself, see above).
COPY scripts ./scripts
# `npm install` with the committed lock, as CI does: `npm ci` rejects the lock for optional
# platform packages some registries lack. The versions resolved are the lock's.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
# lib/ from tsc (tsconfig.build.json leaves simulators and demo out), then
# lib/workflow-bundle.js so workers never run webpack at startup; the prune drops tsx.
RUN npm run build && npm run bundle:workflows && npm prune --omit=dev

# ---- runtime: production dependencies, lib/ and the CLI, as a non-root user ---------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/lib/workflow-bundle.js \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/lib ./lib
COPY --from=build --chown=node:node /app/bin ./bin
# `docker compose exec countersign-server countersign list`: bin/ runs lib/ (there is no src/).
RUN ln -s /app/bin/countersign.js /usr/local/bin/countersign
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 3000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "lib/healthcheck.js", "/healthz"]
# Receivers and API by default; the worker service runs `node lib/worker.js`.
CMD ["node", "lib/server.js"]
