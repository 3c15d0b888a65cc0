# Gatehouse: one image for every part (gateway, identity provider, echo service); the command picks it.
#   docker build -t gatehouse .
#   docker run --rm -p 8080:8080 -v $PWD/gatehouse.yaml:/etc/gatehouse/gatehouse.yaml:ro gatehouse gateway
# Multi-stage: the build stage compiles TypeScript with the dev dependencies; the runtime stage holds only
# the production dependencies (better-sqlite3 compiled for this Node) and dist/, and runs as a non-root user.

FROM node:24-bookworm-slim AS build
WORKDIR /src
# better-sqlite3 builds from source when no prebuilt binary matches
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY bench ./bench
COPY test ./test
RUN npm ci && npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build with tsc, which is a dev dependency; then the native module alone
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3 && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    GATEHOUSE_CONFIG=/etc/gatehouse/gatehouse.yaml \
    GATEHOUSE_DATA=/var/lib/gatehouse
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY package.json ./
COPY deploy/docker/entrypoint.sh deploy/docker/healthcheck.mjs ./deploy/docker/
RUN mkdir -p /var/lib/gatehouse /etc/gatehouse && chown node:node /var/lib/gatehouse
# the image's own unprivileged user (uid 1000)
USER node
EXPOSE 8080 8404 9011 9001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["node", "/app/deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["gateway"]
