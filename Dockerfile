# Pinned to a release, so a rebuild gets the same Python and Debian; raise it on purpose (the
# digest, @sha256:..., pins it further: add it from `docker buildx imagetools inspect`).
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies in their own layer: rebuilt only when pyproject.toml changes, not with the code.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install -r requirements.txt

COPY README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY editbot ./editbot
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 editbot \
    && mkdir -p /data && chown editbot:editbot /data

USER editbot
# The database defaults to $DATA_DIR/editbot.sqlite3. The working directory is the volume too,
# so even a relative DATABASE_URL from an env file lands in /data.
ENV DATA_DIR=/data
# the port is reached from outside the container (the bot alone defaults to loopback)
ENV LISTEN_HOST=0.0.0.0
WORKDIR /data
VOLUME ["/data"]

# docker stop sends this, then SIGKILL 10 s later; the bot is gone within SHUTDOWN_GRACE_S + 3 s.
STOPSIGNAL SIGTERM
# /healthz, /readyz and /metrics (LISTEN_PORT)
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + (os.environ.get('LISTEN_PORT') or '8080') + '/healthz', timeout=4)"]

CMD ["python", "-m", "bot", "run"]
