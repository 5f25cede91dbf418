FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/editbot.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY editbot ./editbot
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 editbot \
    && mkdir -p /data && chown editbot:editbot /data

USER editbot
VOLUME ["/data"]
CMD ["python", "-m", "bot"]
