"""What an operator deploys: .env.example as Docker reads it, the Dockerfile, compose.yaml.
No Docker engine runs here, so these check the files' facts (and run the Dockerfile's own
dependency step)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from adapters.server import HttpServer
from bot.config import Settings, load_settings
from tests.process_helpers import closed_port

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {name.upper() for name in Settings.model_fields}


def docker_env_file(text: str) -> dict[str, str]:
    """``docker run --env-file`` rules (docker/cli opts/parse.go): leading whitespace is
    dropped, blank lines and lines starting with # are skipped, the value is everything after
    the first = exactly as written (quotes and # included)."""
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.lstrip()
        if not line or line.startswith("#"):
            continue
        name, has_value, value = line.partition("=")
        assert name and not re.search(r"\s", name), f"line {number}: bad variable name"
        assert has_value, f"line {number}: {name} without = would be taken from the host"
        found[name] = value
    return found


def test_env_example_reads_the_same_for_docker_and_for_the_bot(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text()
    docker = docker_env_file(text)
    assert set(docker) <= FIELDS
    for name, value in docker.items():
        assert not value.startswith(("'", '"')), f"{name}: Docker keeps quotes"
        assert "#" not in value and value == value.strip(), f"{name}: kept literally by Docker"
    filled = text.replace("GEMINI_API_KEY=\n", "GEMINI_API_KEY=key-1\n").replace(
        "TELEGRAM_BOT_TOKEN=\n", "TELEGRAM_BOT_TOKEN=1:token\n")
    (tmp_path / ".env").write_text(filled)
    from_file = Settings(_env_file=tmp_path / ".env")  # type: ignore[call-arg]
    from_docker = load_settings(_env_file=None, **{
        k.lower(): v for k, v in docker_env_file(filled).items() if v != ""})
    assert from_file == from_docker
    assert from_file.telegram_api_base_url == "https://api.telegram.org"
    assert from_file.discord_api_base_url is None and from_file.discord_guild_ids == ()
    assert from_file.database_url == "sqlite:///data/editbot.sqlite3"
    assert from_file.gemini_base_url == "https://generativelanguage.googleapis.com"


def test_empty_variables_mean_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """``docker run --env-file`` passes ``NAME=`` on as an empty variable."""
    for name in FIELDS:
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("GEMINI_API_KEY", "key-1")
    settings = load_settings(_env_file=None)
    assert settings.discord_gateway_url is None and settings.shutdown_grace_s == 5
    assert settings.database_url == "sqlite:///data/editbot.sqlite3"


def test_the_database_follows_data_dir_unless_named() -> None:
    assert load_settings(gemini_api_key="k", data_dir="/data").database_url == (
        "sqlite:////data/editbot.sqlite3")
    assert load_settings(gemini_api_key="k", data_dir="/data",
                         database_url="sqlite:////srv/ledger.db").database_url == (
        "sqlite:////srv/ledger.db")


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            steps.append((keyword.upper(), rest.strip()))
    return steps


def test_dockerfile_facts() -> None:
    steps = dockerfile()
    kinds = [kind for kind, _ in steps]

    def first(kind: str, needle: str) -> int:
        return next(i for i, (k, args) in enumerate(steps) if k == kind and needle in args)

    install_deps = first("RUN", "pip install -r requirements.txt")
    assert first("COPY", "pyproject.toml") < install_deps
    for code in ("bot", "adapters", "editbot"):
        assert first("COPY", code) > install_deps  # code changes keep the dependency layer
    assert ("ENV", "LISTEN_HOST=0.0.0.0") in steps  # the bot alone listens on loopback only
    assert ("ENV", "DATA_DIR=/data") in steps and ("VOLUME", '["/data"]') in steps
    assert [args for kind, args in steps if kind == "WORKDIR"][-1] == "/data"
    assert ("STOPSIGNAL", "SIGTERM") in steps
    assert "HEALTHCHECK" in kinds and "/healthz" in dict(steps)["HEALTHCHECK"]
    assert ("EXPOSE", "8080") in steps  # LISTEN_PORT's default
    user = [args for kind, args in steps if kind == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert dict(steps)["CMD"] == '["python", "-m", "bot", "run"]'



async def test_the_healthcheck_asks_healthz_on_listen_port() -> None:
    command = json.loads(dict(dockerfile())["HEALTHCHECK"].split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"]

    async def healthcheck(port: int) -> int:
        env = {"PATH": os.environ.get("PATH", ""), "LISTEN_PORT": str(port)}
        process = await asyncio.create_subprocess_exec(
            sys.executable, *command[1:], env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        return await asyncio.wait_for(process.wait(), 30)

    server = HttpServer(port=0, host="127.0.0.1")
    await server.start()
    try:
        assert await healthcheck(server.port) == 0
    finally:
        await server.stop()
    assert await healthcheck(closed_port()) != 0  # nothing answers: unhealthy


def test_the_dependency_layer_installs_exactly_the_pinned_dependencies(tmp_path: Path) -> None:
    run = next(args for kind, args in dockerfile() if kind == "RUN" and "requirements" in args)
    extract = run.split("&&")[0].strip()
    assert extract.startswith("python -c ") and extract.endswith("> requirements.txt")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    subprocess.run(["sh", "-c", extract.replace("python", sys.executable, 1)], cwd=tmp_path,
                   check=True)
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert (tmp_path / "requirements.txt").read_text().split("\n")[:-1] == wanted
    assert all("==" in line for line in wanted)


def test_compose_runs_the_image_with_its_volume_and_env_file() -> None:
    compose = (ROOT / "compose.yaml").read_text()
    lines = [line.split("#")[0].rstrip() for line in compose.splitlines()]
    assert "services:" in lines and "  editbot:" in lines
    for wanted in ("    build: .", "    env_file: .env", "      - editbot-data:/data",
                   "    restart: unless-stopped", "volumes:", "  editbot-data:"):
        assert wanted in lines, wanted
    stop = next(line for line in lines if "stop_grace_period" in line)
    assert int(stop.split(":")[1].strip().rstrip("s")) >= 8
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and "data" in ignored  # no secret nor database in the image


def test_every_base_image_is_pinned_to_a_release() -> None:
    """A moving tag (python:3.11-slim, postgres:16, caddy:2) rebuilds into something else."""
    images = [args for kind, args in dockerfile() if kind == "FROM"]
    for path in ("compose.yaml", "compose.scale.yaml", "deploy/compose.monitoring.yaml"):
        images += re.findall(r"^\s+image: (\S+)", (ROOT / path).read_text(), re.M)
    external = [image for image in images if image != "editbot"]
    assert len(external) == 5, external  # python, postgres, caddy, prometheus, grafana
    for image in external:
        assert re.search(r":v?\d+\.\d+(\.\d+)?([-@]|$)", image), image


def test_compose_publishes_the_health_port_on_this_host_only() -> None:
    compose = (ROOT / "compose.yaml").read_text()
    assert '    ports:\n      - "127.0.0.1:8080:8080"\n' in compose
    assert ("EXPOSE", "8080") in dockerfile()


def test_the_scaled_deployment_runs_replicas_in_webhook_mode_behind_caddy() -> None:
    """compose.scale.yaml (no YAML parser is a dependency: its facts, line by line)."""
    compose = (ROOT / "compose.scale.yaml").read_text()
    lines = [line.split(" #")[0].rstrip() for line in compose.splitlines()
             if not line.lstrip().startswith("#")]
    top = [line.split(":")[0] for line in lines if re.match(r"[a-z-]+:", line)]
    assert top == ["x-editbot", "services", "volumes"]
    services = [line.strip()[:-1] for line in lines if re.fullmatch(r"  [a-z0-9-]+:", line)]
    assert {"postgres", "editbot-1", "editbot-2", "editbot-3", "caddy"} <= set(services)
    for shard, replica in enumerate(("editbot-1", "editbot-2", "editbot-3")):
        assert f"  {replica}:\n    <<: *editbot" in compose
        assert f'  {replica}:\n    <<: *editbot\n    environment:\n      <<: *environment\n' \
               f'      DISCORD_SHARD_IDS: "{shard}"' in compose
    bot = compose.split("x-editbot: &editbot\n", 1)[1].split("\nservices:", 1)[0]
    assert "  env_file: .env" in bot and "condition: service_healthy" in bot
    named = set(re.findall(r"^    ([A-Z][A-Z0-9_]*):", bot, re.M))
    for block in re.findall(r"^  editbot-\d:\n((?:    .*\n|      .*\n)*)", compose, re.M):
        named |= set(re.findall(r"^      ([A-Z][A-Z0-9_]*):", block, re.M))
    # only settings that exist, and the PostgreSQL driver's own PGPASSWORD
    assert named and named <= FIELDS | {"PGPASSWORD"}, named - FIELDS
    assert re.search(r"DATABASE_URL: postgresql://editbot@postgres/editbot\n", bot)
    assert "PGPASSWORD: ${POSTGRES_PASSWORD:?" in bot  # any character, nothing to encode
    assert "image: caddy:2." in compose and "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in compose
    # what compose reads from .env besides the settings is explained in .env.example
    example = (ROOT / ".env.example").read_text()
    for name in set(re.findall(r"\$\{([A-Z_]+)", compose)) - FIELDS:
        assert re.search(rf"^# {name}=", example, re.M), name
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy editbot-1:8080 editbot-2:8080 editbot-3:8080" in caddy
    assert "health_uri /readyz" in caddy
    path = re.search(r"handle (/\S+) \{", caddy)
    assert path is not None
    settings = load_settings(gemini_api_key="k", telegram_bot_token="1:t",
                             telegram_webhook_url=f"https://bot.example.org{path[1]}",
                             telegram_webhook_secret="s")
    assert settings.webhook_path == path[1]
    assert f"https://<EDITBOT_DOMAIN>{path[1]}" in (ROOT / "docs" / "DEPLOYMENT.md").read_text()
