# Shellwatch container. The base image is a build argument so that machines
# without registry access can build on a local Node.js base (see
# scripts/container/build-base.sh and docs/container.md); by default it is the
# public Node.js LTS image. The base needs node, npm, groupadd and useradd.
#
#   docker build -t shellwatch .
#   podman build --format docker -t shellwatch .      (docker format keeps HEALTHCHECK)
#   ... --build-arg NODE_IMAGE=localhost/shellwatch-node-base:24.21.0-bookworm
#
# No "# syntax=" line on purpose: BuildKit would try to pull the Dockerfile
# frontend image from a registry, which fails offline; nothing here needs it.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------- build
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" would run "nest build" before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY scripts ./scripts
COPY bench ./bench
# src imports the rule JSON schemas; they are compiled into dist/rules/schema.
COPY rules/schema ./rules/schema
RUN npm run build

# ---------------------------------------------------------------- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    RULES_DIR=/app/rules \
    HTTP_PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force \
    && rm -rf /root/.npm /tmp/*
# A non-root user that owns only the rules folder (the API writes rule files there).
# Fixed ids, whatever the base: 10001 is what deploy/kubernetes runs as.
RUN groupadd --system --gid 10001 shellwatch \
    && useradd --system --uid 10001 --gid shellwatch --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin shellwatch
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY --chown=shellwatch:shellwatch rules ./rules
USER shellwatch
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
