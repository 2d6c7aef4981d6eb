# syntax=docker/dockerfile:1
# Two images from one source tree:
#   docker build --target operator -t ghcr.io/processgroup/operator:0.1.0 .
#   docker build --target runtime  -t ghcr.io/processgroup/runtime:0.1.0 .
# Node runs the TypeScript sources directly (type stripping), so there is no build step; the
# processes keep the stripped modules in /tmp (an emptyDir in the pod; bin/modules), so none
# loads a stripper of its own;
# only production dependencies are installed. NODE_MAJOR follows the `node` devDependency
# in package.json (`npm run images` passes it from there; a test checks this default).
ARG NODE_MAJOR=26

FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /opt/processgroup
COPY package.json package-lock.json ./
# The `node` devDependency (the Node binary for npm scripts) is dev-only: the base image has Node.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_MAJOR}-bookworm-slim AS base
ENV NODE_ENV=production
WORKDIR /opt/processgroup
COPY --from=deps /opt/processgroup/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY crds ./crds
RUN ln -s /opt/processgroup/bin/processgroup.js /usr/local/bin/processgroup
# A numeric non-root user, so runAsNonRoot can verify it; no writable path but /tmp (an emptyDir).
USER 10001:10001

FROM base AS operator
COPY operator ./operator
ENTRYPOINT ["processgroup", "operator"]

FROM base AS runtime
COPY runtime ./runtime
# Applications go in /app (the default source root): FROM this image, COPY your app to /app.
WORKDIR /app
EXPOSE 8080 9090
ENTRYPOINT ["processgroup", "run"]

# The example applications on the runtime image: the image examples/*.yaml name.
#   docker build --target examples -t ghcr.io/processgroup/examples:0.1.0 .
FROM runtime AS examples
COPY examples/apps /app/apps
