# Liandong application image: the same image runs the worker (python worker.py),
# the web app (python server.py) and the seed step (python -m models.seed).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only what the application needs: no .venv, var/ or tests/ in the image.
COPY pyproject.toml worker.py server.py ./
COPY core ./core
COPY workflows ./workflows
COPY activities ./activities
COPY models ./models
COPY web ./web
COPY scripts ./scripts

RUN pip install '.[postgres]'

RUN useradd --system --uid 10001 --home-dir /data --no-create-home liandong \
    && mkdir -p /data \
    && chown liandong /data

USER liandong

ENV LIANDONG_DATA_DIR=/data \
    LIANDONG_HOST=0.0.0.0 \
    LIANDONG_PORT=8000

EXPOSE 8000

CMD ["python", "server.py"]
