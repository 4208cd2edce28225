# convoi: multi-stage image. The build stage compiles TypeScript with every dev dependency; the
# runtime stage holds production dependencies and dist/ only, and runs as the unprivileged `node`.
# Both stages use the same Node minor so better-sqlite3's native module matches its runtime ABI.

FROM node:20.19-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 builds from source here; the full bookworm image has python3, make and g++.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY src ./src
COPY sensors-sim ./sensors-sim
RUN npm run build

FROM node:20.19-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HTTP_PORT=3000 \
    BROKER_PORT=1883 \
    DATA_DIR=/app/data \
    FLEET_SEED_FILE=config/fleet.example.json
WORKDIR /app
COPY package.json package-lock.json ./
# The native build needs a toolchain only while installing: added and removed in one layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && apt-get purge -y python3 make g++ \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/dist ./dist
COPY config ./config
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 1883
# Node's own fetch: the slim image has no curl. /health is 503 when a store or the broker is down.
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The flags of `npm start` (package.json): the young generation of each thread is collected by
# that thread alone; parallel helpers wait for cores convoi's own threads hold (docs/PERFORMANCE.md).
CMD ["node", "--enable-source-maps", "--no-parallel-scavenge", "dist/src/main.js"]
