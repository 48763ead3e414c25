from datetime import timedelta
from pathlib import Path

import pytest

from ringback.core.config import load_settings
from ringback.core.errors import ConfigError


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "ringback.toml"
    path.write_text(
        '[server]\nport = 8000\nhost = "0.0.0.0"\n[dispatcher]\nconcurrency = 7\n',
        encoding="utf-8",
    )
    return path


def test_environment_overrides_the_file_key_by_key(config_file: Path) -> None:
    settings = load_settings(
        config_file,
        {
            "RINGBACK_SERVER_PORT": "9000",
            "RINGBACK_HTTP_ALLOW_PRIVATE": "true",
            "RINGBACK_DISPATCHER_PER_TARGET_LIMIT": "3",
            "RINGBACK_DISPATCHER_IDLE_WAIT": "5s",
            "RINGBACK_WORKERS_MAX_MEMORY_MB": "512",
            "RINGBACK_LOG_FORMAT": "json",
        },
    )
    assert settings.server.port == 9000
    assert settings.server.host == "0.0.0.0"  # kept from the file
    assert settings.dispatcher.concurrency == 7  # kept from the file
    assert settings.dispatcher.per_target_limit == 3
    assert settings.dispatcher.idle_wait == timedelta(seconds=5)
    assert settings.http.allow_private is True
    assert settings.workers.max_memory_mb == 512
    assert settings.log.format == "json"


def test_aliases_for_the_usual_deployment_values(tmp_path: Path) -> None:
    secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    settings = load_settings(
        None,
        {
            "RINGBACK_DATABASE_URL": "postgresql://ringback:pw@db/ringback",
            "RINGBACK_TOKEN": "a-long-api-token-value",
            "RINGBACK_SIGNING_SECRET": secret,
            "RINGBACK_DATA_DIR": str(tmp_path / "state"),
        },
    )
    assert settings.store.url == "postgresql://ringback:pw@db/ringback"
    assert settings.server.token == "a-long-api-token-value"
    assert settings.http.signing_secret == secret
    assert settings.data_path == tmp_path / "state"


def test_alias_wins_over_the_generic_name() -> None:
    settings = load_settings(
        None, {"RINGBACK_SERVER_TOKEN": "generic-token", "RINGBACK_TOKEN": "alias-token"}
    )
    assert settings.server.token == "alias-token"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("payments,statements", ["payments", "statements"]),
        (" a , b ,", ["a", "b"]),
        ("", []),
        ('["x", "y"]', ["x", "y"]),
    ],
)
def test_lists_are_comma_separated_or_json(raw: str, expected: list[str]) -> None:
    settings = load_settings(None, {"RINGBACK_DISPATCHER_QUEUES": raw})
    assert settings.dispatcher.queues == expected


def test_schema_key_is_reachable_from_the_environment() -> None:
    settings = load_settings(None, {"RINGBACK_STORE_SCHEMA": "jobs"})
    assert settings.store.pg_schema == "jobs"


def test_unrelated_variables_are_ignored() -> None:
    settings = load_settings(None, {"RINGBACK_CONFIG": "/etc/x.toml", "RINGBACK_URL": "x"})
    assert settings.server.port == 8765


def test_os_environ_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGBACK_SERVER_PORT", "9123")
    assert load_settings(None).server.port == 9123


@pytest.mark.parametrize(
    ("env", "field", "fragment"),
    [
        ({"RINGBACK_SERVER_PROT": "1"}, "server.prot", "RINGBACK_SERVER_PROT: [server] has no"),
        ({"RINGBACK_SERVER_PORT": "eighty"}, "server.port", "(in RINGBACK_SERVER_PORT)"),
        ({"RINGBACK_DISPATCHER_LEASE": "60"}, "dispatcher.lease", "no unit"),
        (
            {"RINGBACK_DISPATCHER_PER_TARGET_LIMIT": "0"},
            "dispatcher.per_target_limit",
            "dispatcher.per_target_limit: must be ≥ 1 (got '0')",
        ),
        ({"RINGBACK_HTTP_ALLOW_PRIVATE": "perhaps"}, "http.allow_private", "boolean"),
        ({"RINGBACK_COMMANDS_FETCH_ARGV": "x"}, "commands", "use the config file"),
        ({"RINGBACK_PAYMENTS_KEY": "x"}, "payments", "use the config file"),
        ({"RINGBACK_DISPATCHER_QUEUES": "[1, 2"}, "dispatcher.queues", "not a JSON list"),
        ({"RINGBACK_DISPATCHER_QUEUES": '["a", 2]'}, "dispatcher.queues[1]", "valid string"),
        ({"RINGBACK_DATABASE_URL": "mysql://db"}, "store.url", "RINGBACK_DATABASE_URL"),
    ],
)
def test_bad_environment_values_name_the_variable(
    env: dict[str, str], field: str | None, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env)
    assert caught.value.field == field
    assert fragment in caught.value.message


def test_bad_secret_values_are_not_echoed() -> None:
    bad = "whsec_not-base64-at-all-but-secret"
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {"RINGBACK_SIGNING_SECRET": bad})
    assert caught.value.field == "http.signing_secret"
    assert bad not in caught.value.message
    assert "not-base64" not in caught.value.message


def test_database_password_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {"RINGBACK_DATABASE_URL": "mysql://user:hunter2@db/x"})
    assert "hunter2" not in caught.value.message
