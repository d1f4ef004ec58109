# Countersign's image: one image, two roles (`node lib/worker.js`, `node lib/server.js`).
# Checked statically by test/unit/deploy-files.test.ts; no Docker engine runs on the build
# machines, so build it once yourself before relying on it.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

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
# lib/ from tsc, then lib/workflow-bundle.js so workers never run webpack at startup.
RUN npm run build && npm run bundle:workflows && npm prune --omit=dev

# ---- runtime: production dependencies and lib/, as a non-root user ------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/lib/workflow-bundle.js \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/lib ./lib
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 3000 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "lib/healthcheck.js", "/healthz"]
# Receivers and API by default; the worker service runs `node lib/worker.js`.
CMD ["node", "lib/server.js"]
