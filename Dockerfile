# stratforge API server. Multi-stage: build a virtualenv, copy it into a slim runtime image
# that runs as a non-root user and refuses to start without STRATFORGE_API_KEY.
FROM python:3.11-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY core ./core
COPY generator ./generator
COPY runtime ./runtime
COPY api ./api
COPY templates ./templates
COPY generated_strategies/README.md ./generated_strategies/README.md
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -c constraints.txt -e .

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends fonts-liberation \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 stratforge && mkdir /data && chown stratforge /data
COPY --from=build /venv /venv
COPY --from=build --chown=stratforge:stratforge /app /app
WORKDIR /app
USER stratforge
ENV PATH=/venv/bin:$PATH \
    STRATFORGE_HOME=/data \
    STRATFORGE_GENERATED_DIR=/data/generated_strategies \
    STRATFORGE_HOST=0.0.0.0 \
    STRATFORGE_PORT=8000
VOLUME ["/data"]
EXPOSE 8000
# `stratforge serve` refuses a non-loopback bind unless STRATFORGE_API_KEY is set.
CMD ["sh", "-c", "test -n \"$STRATFORGE_API_KEY\" || { echo 'set STRATFORGE_API_KEY' >&2; exit 2; }; exec stratforge serve"]
