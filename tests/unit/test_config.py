from datetime import timedelta
from pathlib import Path

import pytest

from ringback.core.config import Settings, load_settings
from ringback.core.errors import ConfigError


def write(tmp_path: Path, text: str, name: str = "ringback.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, {})
    assert settings.server.host == "127.0.0.1"
    assert settings.server.port == 8765
    assert settings.server.token == ""
    assert settings.store.url == f"sqlite:///{tmp_path.resolve()}/var/ringback.db"
    assert settings.store.sqlite_path == tmp_path.resolve() / "var" / "ringback.db"
    assert settings.store.pg_schema == "ringback"
    assert settings.store.statement_timeout == timedelta(seconds=30)
    assert settings.data_path == tmp_path.resolve() / "var"
    assert settings.dispatcher.concurrency == 200
    assert settings.dispatcher.per_target_limit == 10
    assert settings.dispatcher.lease == timedelta(seconds=60)
    assert settings.dispatcher.queues == []
    assert settings.http.allow_private is False
    assert settings.http.timeout == timedelta(seconds=30)
    assert settings.http.max_response_bytes == 65536
    assert settings.http.user_agent == "ringback/0.1"
    assert settings.log.format == "human"
    assert settings.workers.count == 0
    assert settings.workers.effective_count >= 1
    assert settings.retention.finished_after == timedelta(days=30)
    assert settings.commands == {}
    assert settings.payments == {}


def test_a_full_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[server]
host = "0.0.0.0"
port = 9000
public_url = "https://ringback.example.com"

[store]
url = "postgresql://ringback@db.internal/ringback"
pool_min = 2
pool_max = 20
statement_timeout = "PT10S"
schema = "jobs"

[dispatcher]
concurrency = 50
queues = ["payments", "statements"]
lease = "2m"

[http]
allow_private = true
timeout = "10s"

[log]
format = "json"
level = "DEBUG"

[workers]
count = 4
grace = "0s"

[tasks]
modules = ["shop.tasks", "shop.reports.daily"]

[commands.fetch_statement]
argv = ["php", "artisan", "statement:fetch", "{date}"]
timeout = "5m"
cwd = "app"
env = { APP_ENV = "production" }

[retention]
finished_after = "7d"

[payments.channels.alipay]
app_id = "2021000000000000"

[statements]
banks = ["icbc"]
""",
    )
    settings = load_settings(path, {})
    assert settings.server.port == 9000
    assert settings.server.public_url == "https://ringback.example.com"
    assert settings.store.url == "postgresql://ringback@db.internal/ringback"
    assert settings.store.sqlite_path is None
    assert settings.store.pool_max == 20
    assert settings.store.statement_timeout == timedelta(seconds=10)
    assert settings.store.pg_schema == "jobs"
    assert settings.data_path == tmp_path.resolve() / "var"
    assert settings.dispatcher.queues == ["payments", "statements"]
    assert settings.dispatcher.lease == timedelta(minutes=2)
    assert settings.http.allow_private is True
    assert settings.log.level == "debug"
    assert settings.workers.effective_count == 4
    assert settings.workers.grace == timedelta(0)
    assert settings.tasks.modules == ["shop.tasks", "shop.reports.daily"]
    command = settings.commands["fetch_statement"]
    assert command.argv == ["php", "artisan", "statement:fetch", "{date}"]
    assert command.timeout == timedelta(minutes=5)
    assert command.cwd == str(tmp_path.resolve() / "app")
    assert command.env == {"APP_ENV": "production"}
    assert settings.retention.finished_after == timedelta(days=7)
    assert settings.payments == {"channels": {"alipay": {"app_id": "2021000000000000"}}}
    assert settings.statements == {"banks": ["icbc"]}


def test_relative_sqlite_path_resolves_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    path = write(folder, '[store]\nurl = "sqlite:///data/jobs.db"\n')
    settings = load_settings(path, {})
    assert settings.store.sqlite_path == folder.resolve() / "data" / "jobs.db"
    assert settings.data_path == folder.resolve() / "data"


def test_absolute_sqlite_path_is_kept(tmp_path: Path) -> None:
    database = tmp_path / "abs" / "jobs.db"
    path = write(tmp_path, f'[store]\nurl = "sqlite:///{database}"\n')
    assert load_settings(path, {}).store.sqlite_path == database


def test_data_dir_can_be_set(tmp_path: Path) -> None:
    path = write(tmp_path, 'data_dir = "state"\n')
    assert load_settings(path, {}).data_path == tmp_path.resolve() / "state"


def test_settings_are_immutable(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), {})
    with pytest.raises(ValueError, match="frozen"):
        settings.server.port = 1  # type: ignore[misc]


def test_settings_can_be_built_in_code_with_defaults() -> None:
    settings = Settings()
    assert settings.dispatcher.batch_size == 200
    assert settings.store.sqlite_path is not None


@pytest.mark.parametrize(
    ("toml", "field", "message"),
    [
        (
            "[dispatcher]\nper_target_limit = 0\n",
            "dispatcher.per_target_limit",
            "dispatcher.per_target_limit: must be ≥ 1 (got 0)",
        ),
        ("[sever]\nport = 1\n", "sever", "sever: unknown setting; check the spelling"),
        ("[server]\nprot = 1\n", "server.prot", "unknown setting"),
        ("[server]\nport = 70000\n", "server.port", "must be ≤ 65535 (got 70000)"),
        ('[server]\nport = "http"\n', "server.port", "valid integer"),
        ('[server]\npublic_url = "ringback.example.com"\n', "server.public_url", "http://"),
        ('[server]\nhost = ""\n', "server.host", "at least 1"),
        ('[store]\nurl = "mysql://x"\n', "store.url", "sqlite:/// or postgresql://"),
        ('[store]\nurl = "sqlite:///:memory:"\n', "store.url", "needs a file path"),
        ("[store]\npool_min = 5\npool_max = 2\n", "store.pool_max", "≥ pool_min (5)"),
        ('[store]\nurl = "sqlite:///a.db?mode=ro"\n', "store.url", "no query"),
        ('[store]\nurl = "sqlite://host/a.db"\n', "store.url", "sqlite:///"),
        ('[store]\nschema = "drop table"\n', "store.schema", "pattern"),
        ("[store]\nstatement_timeout = 30\n", "store.statement_timeout", "with a unit"),
        ('[dispatcher]\nlease = "0s"\n', "dispatcher.lease", "longer than 0s"),
        ('[dispatcher]\nlease = "a minute"\n', "dispatcher.lease", "'a minute'"),
        ('[dispatcher]\nqueues = "payments"\n', "dispatcher.queues", "valid list"),
        ('[dispatcher]\nqueues = [""]\n', "dispatcher.queues[0]", "at least 1"),
        ('[http]\nallow_private = "maybe"\n', "http.allow_private", "valid boolean"),
        ("[http]\nmax_response_bytes = 0\n", "http.max_response_bytes", "≥ 1"),
        ('[alerts]\ncallback_url = "ftp://x"\n', "alerts.callback_url", "http://"),
        ('[log]\nformat = "xml"\n', "log.format", "'human' or 'json'"),
        ("[workers]\ncount = -1\n", "workers.count", "≥ 0 (got -1)"),
        ('[workers]\ngrace = "-5s"\n', "workers.grace", "negative"),
        ('[tasks]\nmodules = ["not a module"]\n', "tasks.modules[0]", "pattern"),
        ('[commands.fetch]\ntimeout = "1m"\n', "commands.fetch.argv", "is required"),
        ("[commands.fetch]\nargv = []\n", "commands.fetch.argv", "at least 1"),
        ('[commands.fetch]\nargv = [" "]\n', "commands.fetch.argv", "program"),
        ('[commands.fetch]\nargv = ["x"]\nshell = true\n', "commands.fetch.shell", "unknown"),
        ("[retention]\nbatch_size = 0\n", "retention.batch_size", "≥ 1"),
        ("payments = 3\n", "payments", "valid dictionary"),
    ],
)
def test_each_mistake_is_one_clear_line(
    tmp_path: Path, toml: str, field: str, message: str
) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert caught.value.field == field
    assert message in caught.value.message
    assert "\n" not in caught.value.message
    assert str(path) in caught.value.message


def test_several_mistakes_are_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "[server]\nport = -1\n[dispatcher]\nbatch_size = 0\n")
    with pytest.raises(ConfigError, match=r"and 1 more problem"):
        load_settings(path, {})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", {})


def test_broken_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 2"):
        load_settings(write(tmp_path, "[server]\nport = \n"), {})
