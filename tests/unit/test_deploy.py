"""deploy/ stays consistent with the code: its YAML files parse as bot settings, the systemd
unit makes exactly the configured state writable, and the Dockerfile's volumes, user and
HEALTHCHECK match its config. (Neither systemd nor Docker can run in the tests.)"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from bot.settings import bot_settings
from retrieval import load_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def unit() -> dict[str, list[str]]:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "policybot.service", encoding="utf-8")
    return {key: value.split() for key, value in parser["Service"].items()}


def test_systemd_unit_is_hardened_and_its_state_matches_the_config() -> None:
    service = unit()
    assert service["User"] == ["policybot"] and service["Restart"] == ["on-failure"]
    assert service["EnvironmentFile"] == ["/etc/policybot/env"]
    assert service["NoNewPrivileges"] == ["yes"] and service["ProtectSystem"] == ["strict"]
    assert service["ExecStart"][-1] == "serve"
    writable = {Path("/var/lib") / d for d in service["StateDirectory"]}
    config = load_config(DEPLOY / "policybot.yaml", env={})
    settings = bot_settings(config, env={})
    assert config.retrieval.cache_dir in writable
    assert settings.uploads.dir in writable  # the first corpus directory
    assert settings.journal.path.parent in writable and settings.journal.enabled


def test_dockerfile_runs_serve_as_non_root_with_volumes_and_a_healthcheck() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("# ") and "UNTESTED" in dockerfile
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert re.search(r"^USER policybot$", dockerfile, re.MULTILINE)
    assert 'CMD ["policybot", "serve"]' in dockerfile
    volumes = {Path(v) for v in re.findall(r'"(/data/[a-z]+)"', dockerfile)}
    config = load_config(DEPLOY / "docker.yaml", env={})
    settings = bot_settings(config, env={})
    assert {config.retrieval.cache_dir, settings.uploads.dir,
            settings.journal.path.parent} == volumes
    assert settings.health.active(webhook=False)  # the HEALTHCHECK needs it when polling
    port = re.search(r"http://127\.0\.0\.1:(\d+)/healthz", dockerfile)
    assert port and int(port.group(1)) == settings.health.port
