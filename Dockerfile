# syntax=docker/dockerfile:1.7
# Podrun service image: the API (`podrun serve --no-worker`) and the worker (`podrun worker`)
# with the web client's built assets. Slim, non-root (uid 10001), runs on a read-only root
# filesystem (everything it writes goes to /tmp, an emptyDir in the chart).
#
#   docker build -t ghcr.io/podrun/podrun:0.1.0 .
#
# The sandbox runner images (one per Python runtime) are built from sandbox/Dockerfile; see
# sandbox/README.md and docs/deploy.md.
ARG PYTHON_VERSION=3.12
ARG NODE_VERSION=22

# --- web assets --------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /src
# The whole (dockerignore-filtered) context, so that a tree without web/ still builds: the
# stage then produces an empty dist/ and the image serves the API alone.
COPY . .
RUN if [ -f web/package.json ]; then \
        cd web && npm ci --no-audit --no-fund && npm run build; \
    else \
        mkdir -p web/dist; \
    fi

# --- Python package ----------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/podrun
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service/ service/
COPY --from=web /src/web/dist /src/web-dist
# The app serves the client from web/dist beside the `service` package (see
# service/entrypoints/http/web.py), i.e. <site-packages>/web/dist once installed.
RUN /opt/podrun/bin/pip install . \
 && site="$(/opt/podrun/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
 && mkdir -p "$site/web" && cp -r /src/web-dist "$site/web/dist" \
 && find /opt/podrun -name '__pycache__' -prune -exec rm -rf {} +

# --- runtime -----------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim AS runtime
LABEL org.opencontainers.image.title="podrun" \
      org.opencontainers.image.description="Run untrusted Python scripts in sandboxes; GraphQL API and worker" \
      org.opencontainers.image.licenses="Apache-2.0"
# A fixed uid/gid that the chart's securityContext (runAsUser/runAsGroup 10001) relies on.
RUN groupadd --system --gid 10001 podrun \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
        --shell /usr/sbin/nologin podrun
COPY --from=build /opt/podrun /opt/podrun
ENV PATH=/opt/podrun/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    PODRUN_HOST=0.0.0.0 \
    PODRUN_PORT=8000 \
    PODRUN_DATA_DIR=/tmp/podrun \
    PODRUN_LOG_FORMAT=json
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000
# Exec form: podrun is PID 1 and gets SIGTERM directly (graceful shutdown, lease release).
ENTRYPOINT ["podrun"]
CMD ["serve", "--no-worker"]
