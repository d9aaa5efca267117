"""The deployment files promise what README → Deploying says: secrets stay out of git and
the image, Caddy is the only way in, nothing starts before migrations, all are watched."""

import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


@pytest.mark.parametrize("name", [".env", ".env.production"])
def test_env_files_are_ignored_by_git(name):
    ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT)
    assert ignored.returncode == 0, f"git would commit {name}"


def test_env_files_are_kept_out_of_the_image():
    patterns = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in patterns
    assert ".env.*" in patterns


def test_caddy_publishes_the_only_ports_and_the_web_is_internal(compose):
    published = {name for name, service in compose.items() if service.get("ports")}
    assert published == {"caddy"}
    assert compose["web"]["expose"] == ["8000"]
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert "{$DOMAIN} {" in caddyfile
    assert "reverse_proxy web:8000" in caddyfile


def test_the_app_trusts_exactly_the_one_proxy_in_front_of_it(compose):
    environment = compose["web"]["environment"]
    assert environment["TRUSTED_PROXY_COUNT"] == "1"
    assert environment["ALLOWED_HOSTS"].startswith("${DOMAIN")
    assert environment["CSRF_TRUSTED_ORIGINS"] == "https://${DOMAIN}"


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_services_wait_for_migrations_and_healthy_stores(compose, service):
    depends = compose[service]["depends_on"]
    assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert depends["postgres"] == {"condition": "service_healthy"}
    assert depends["redis"] == {"condition": "service_healthy"}


@pytest.mark.parametrize(
    ("service", "command"),
    [
        ("web", ["CMD", "bin/healthcheck", "web"]),
        ("worker", ["CMD", "bin/healthcheck", "worker"]),
        ("redis", ["CMD", "redis-cli", "ping"]),
    ],
)
def test_each_long_running_part_has_a_healthcheck(compose, service, command):
    assert compose[service]["healthcheck"]["test"] == command
    assert (ROOT / command[1]).exists() or command[1] == "redis-cli"
