FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install -e .
COPY . .
# Static files are collected at build time with throwaway settings (no secrets baked in).
RUN DEBUG=true python manage.py collectstatic --noinput

RUN useradd --create-home bookback && mkdir -p /app/var && chown -R bookback /app/var
USER bookback
EXPOSE 8000
CMD ["gunicorn", "crm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
