# extgate image: `extgate serve` on Node 24 LTS (deploy/deployment.yaml runs it).
#   docker build -t extgate:0.1.0 .
# Three stages: compile TypeScript with the dev dependencies, install the production dependencies alone, and
# copy both into a clean slim image. No compilers anywhere: better-sqlite3 (native) ships Node-API prebuilds
# for linux x64/arm64 (glibc, as in this Debian image), loaded as they are.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are here; compiled explicitly below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# The CLI's demo (`extgate up -f examples/store`) imports the store app from examples/.
COPY examples ./examples
# Only the shipped code: tests (and examples' tests, which import test/) stay out of the image.
RUN printf '%s' '{"extends":"./tsconfig.json","include":["src/**/*.ts","examples/**/*.ts"],"exclude":["**/*.test.ts","examples/plugins/**","node_modules","dist"]}' > tsconfig.image.json \
 && npx tsc -p tsconfig.image.json \
 && test -f dist/src/cli/main.js && test -f dist/src/admin/dashboard/app.js

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Fails the build here, not at the first start, if the prebuilt addon does not load on this base image.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node -e "new (require('better-sqlite3'))(':memory:').close()" \
 && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The `node` user (uid 1000) of the base image; matches runAsUser in deploy/deployment.yaml.
RUN mkdir -p /var/lib/extgate && chown node:node /var/lib/extgate
USER node
# Gateway listeners 80/443 with --port-offset=8000, and the admin port.
EXPOSE 8080 8443 9901
ENTRYPOINT ["node", "bin/extgate"]
CMD ["serve", "--port-offset=8000", "--admin-address=0.0.0.0", "--state-dir=/var/lib/extgate"]
