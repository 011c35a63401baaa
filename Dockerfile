# syntax=docker/dockerfile:1
# Shellwatch container. The base image is a build argument so that machines
# without registry access can build on a local Node.js base (see
# scripts/container-test.sh); by default it is the public Node.js LTS image.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    RULES_DIR=/app/rules \
    HTTP_PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY rules ./rules
# A non-root user that owns only the rules folder (the API writes rule files there).
RUN groupadd --system shellwatch && useradd --system --gid shellwatch --no-create-home shellwatch \
    && chown -R shellwatch:shellwatch /app/rules
USER shellwatch
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
