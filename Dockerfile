FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# The locked runtime tree, hashes checked; then the project alone.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY providers ./providers
RUN pip install --no-deps . && useradd --create-home --uid 10001 gateway \
    && mkdir -p /app/var && chown gateway /app/var
USER gateway

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
# Same command as on a laptop: embedded sandboxes unless provider URLs are configured.
CMD ["staking-gateway", "serve", "--host", "0.0.0.0", "--port", "8000"]
