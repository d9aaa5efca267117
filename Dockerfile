# The production image: exactly what `make smoke` runs and checks, without Docker.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .
# Hashed, compressed static files and their manifest, with throwaway settings: no secret
# is baked into the image (.dockerignore keeps .env out of it too).
RUN bin/build-static

RUN useradd --create-home bookback && mkdir -p /app/var && chown -R bookback /app/var
USER bookback
EXPOSE 8000
# Bind, workers (gthread, with threads) and logs: gunicorn.conf.py.
CMD ["gunicorn", "crm.wsgi:application"]
