"""Settings: a TOML file, overridden by ``RINGBACK_*`` environment variables.

Every section forbids unknown keys, so a typo is an error rather than a silently
ignored setting. Durations are strings (``"30s"``, ``"PT5M"``), read by
``parse_duration``. Loading does no I/O beyond reading the file; generating the API
token and signing secret on first start is ``ensure_secrets``'s job.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import tomllib
import typing
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ringback.core.config_env import SectionKeys, read_env
from ringback.core.config_errors import config_error
from ringback.core.config_redact import redact
from ringback.core.config_secrets import new_signing_secret, new_token, read_or_create
from ringback.core.durations import format_duration, parse_duration
from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.periodic.cron import parse_cron
from ringback.core.periodic.ticks import zone


def _to_duration(value: object) -> object:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except InvalidInput as error:
            raise ValueError(error.message) from None
    raise ValueError(f"write a duration as a string with a unit, e.g. '30s' (got {value!r})")


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError(f"must not be negative (got {value})")
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError(f"must be longer than 0s (got {format_duration(_not_negative(value))})")
    return value


def _http_url_or_empty(value: str) -> str:
    if value and not re.match(r"https?://[^/\s]+", value):
        raise ValueError("must be an http:// or https:// URL, or empty")
    return value


Duration = Annotated[timedelta, BeforeValidator(_to_duration), AfterValidator(_not_negative)]
PositiveDuration = Annotated[timedelta, BeforeValidator(_to_duration), AfterValidator(_positive)]
HttpUrlOrEmpty = Annotated[str, AfterValidator(_http_url_or_empty)]


def _lowercase(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


NonEmpty = Annotated[str, Field(min_length=1)]
AtLeast0 = Annotated[int, Field(ge=0)]
AtLeast1 = Annotated[int, Field(ge=1)]
Port = Annotated[int, Field(ge=0, le=65535)]
CommandName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
ModulePath = Annotated[str, Field(pattern=r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")]


def _base_dir(info: ValidationInfo) -> Path:
    """Relative paths resolve against the config file's folder (or cwd without one)."""
    context = info.context if isinstance(info.context, dict) else {}
    base = context.get("base_dir")
    return Path(base) if base is not None else Path.cwd()


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ServerSettings(Section):
    host: NonEmpty = "127.0.0.1"
    port: Port = 8765  # 0: any free port (tests)
    token: str = ""  # empty: generated once by ensure_secrets
    public_url: HttpUrlOrEmpty = ""


class StoreSettings(Section):
    url: str = "sqlite:///var/ringback.db"
    pool_min: AtLeast1 = 1
    pool_max: AtLeast1 = 10
    statement_timeout: PositiveDuration = timedelta(seconds=30)
    # "schema" would shadow a BaseModel attribute, so the field has another name.
    pg_schema: str = Field(default="ringback", alias="schema", pattern=r"^[a-z_][a-z0-9_]{0,62}$")

    model_config = ConfigDict(populate_by_name=True)

    @field_validator("url")
    @classmethod
    def _resolve_url(cls, value: str, info: ValidationInfo) -> str:
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme in ("postgresql", "postgres"):
            return value
        if scheme != "sqlite" or not value.startswith("sqlite:///"):
            raise ValueError(
                f"must start with sqlite:/// or postgresql:// (got scheme {scheme or 'none'!r})"
            )
        path = value[len("sqlite:///") :]
        if not path or path == ":memory:":
            raise ValueError("needs a file path, e.g. sqlite:///var/ringback.db")
        if "?" in path or "#" in path:
            raise ValueError("a sqlite URL takes no query or fragment")
        return f"sqlite:///{(_base_dir(info) / path).resolve()}"

    @field_validator("pool_max")
    @classmethod
    def _pool_max_covers_min(cls, value: int, info: ValidationInfo) -> int:
        pool_min = info.data.get("pool_min")
        if isinstance(pool_min, int) and value < pool_min:
            raise ValueError(f"must be ≥ pool_min ({pool_min}) (got {value})")
        return value

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for a SQLite URL (absolute), None for PostgreSQL."""
        if not self.url.startswith("sqlite:///"):
            return None
        return Path(self.url[len("sqlite:///") :])


class DispatcherSettings(Section):
    concurrency: AtLeast1 = 200
    per_target_limit: AtLeast1 = 10
    batch_size: AtLeast1 = 200  # = concurrency: fewer, fuller store transactions (docs/tuning.md)
    lease: PositiveDuration = timedelta(seconds=60)
    queues: list[NonEmpty] = []  # empty: every queue
    idle_wait: PositiveDuration = timedelta(seconds=60)


class HttpSettings(Section):
    allow_private: bool = False
    connect_timeout: PositiveDuration = timedelta(seconds=5)
    timeout: PositiveDuration = timedelta(seconds=30)
    max_request_bytes: AtLeast1 = 1_048_576
    max_response_bytes: AtLeast1 = 65_536
    signing_secret: str = ""  # empty: generated once by ensure_secrets
    user_agent: NonEmpty = "ringback/0.1"
    # Host names or CIDRs callbacks may reach even when private (allow_private stays off).
    allowed_hosts: list[str] = Field(default_factory=list)
    max_timeout: PositiveDuration = timedelta(minutes=10)  # the longest a job may ask for
    connection_limit: AtLeast1 = 1000  # open connections across all receivers
    dns_cache_ttl: Duration = timedelta(seconds=10)  # 0s: look up every attempt
    keepalive_idle: PositiveDuration = timedelta(seconds=15)  # an unused connection's life
    ca_file: str = ""  # PEM trust anchors instead of the system's; verification stays on

    @field_validator("ca_file")
    @classmethod
    def _resolve_ca_file(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            return value
        path = (_base_dir(info) / value).resolve()
        if not path.is_file():
            raise ValueError(f"no such file: {path}")
        return str(path)

    @field_validator("signing_secret")
    @classmethod
    def _standard_webhooks_secret(cls, value: str) -> str:
        if not value:
            return value
        body = value.removeprefix("whsec_")
        try:
            key = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not value.startswith("whsec_") or not 24 <= len(key) <= 64:
            raise ValueError("must be 'whsec_' and 24 to 64 bytes in base64, or empty")
        return value


class AlertSettings(Section):
    callback_url: HttpUrlOrEmpty = ""  # gets a POST when a job dies


class LogSettings(Section):
    format: Literal["human", "json"] = "human"
    level: Annotated[Literal["debug", "info", "warning", "error"], BeforeValidator(_lowercase)] = (
        "info"
    )


class WorkerSettings(Section):
    count: AtLeast0 = 0  # 0: one per CPU core
    max_jobs: AtLeast0 = 0  # 0: never recycle a worker
    max_memory_mb: AtLeast0 = 0  # 0: no limit
    grace: Duration = timedelta(seconds=30)
    restart_backoff_max: PositiveDuration = timedelta(seconds=30)

    @property
    def effective_count(self) -> int:
        return self.count or os.cpu_count() or 1


class TaskSettings(Section):
    modules: list[ModulePath] = []


class CommandSettings(Section):
    argv: list[str] = Field(min_length=1)  # "{name}" placeholders filled from the payload
    timeout: PositiveDuration = timedelta(minutes=5)
    cwd: str = ""  # empty: the config file's folder
    env: dict[str, str] = {}

    @field_validator("argv")
    @classmethod
    def _program_named(cls, value: list[str]) -> list[str]:
        if not value[0].strip():
            raise ValueError("argv[0] must name the program to run")
        return value

    @field_validator("cwd")
    @classmethod
    def _resolve_cwd(cls, value: str, info: ValidationInfo) -> str:
        return str((_base_dir(info) / value).resolve())


class PeriodicSettings(Section):
    """``[periodic.NAME]``: a job enqueued at every tick of a cron schedule (docs/periodic.md)."""

    cron: NonEmpty  # e.g. "30 0 * * *" or "@daily"
    tz: NonEmpty = "UTC"  # the IANA zone the cron's wall-clock times are in
    kind: Literal["task", "http", "command"]
    payload: dict[str, Any]  # as for a submitted job; {tick} {date} {prev_date} filled in
    policy: dict[str, Any] | None = None  # None: the default policy
    queue: NonEmpty = "default"
    catch_up: bool = True  # after an outage of every worker: run the missed tick(s) once
    catch_up_limit: AtLeast1 = 1  # at most this many missed ticks (the latest ones)
    misfire_grace: Duration = timedelta(minutes=5)  # a tick noticed this late is on time

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        try:
            return parse_cron(value).text
        except InvalidInput as error:
            raise ValueError(error.message) from None

    @field_validator("tz")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        try:
            return zone(value).key
        except InvalidInput as error:
            raise ValueError(error.message) from None


class RetentionSettings(Section):
    finished_after: PositiveDuration = timedelta(days=30)
    batch_size: AtLeast1 = 1000


class Settings(Section):
    server: ServerSettings = Field(default_factory=ServerSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    data_dir: str = ""  # empty: the SQLite file's folder, or ./var
    dispatcher: DispatcherSettings = Field(default_factory=DispatcherSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    tasks: TaskSettings = Field(default_factory=TaskSettings)
    commands: dict[CommandName, CommandSettings] = {}
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    payments: dict[str, Any] = {}  # validated by ringback.domain.payments
    statements: dict[str, Any] = {}  # validated by ringback.domain.statements
    periodic: dict[CommandName, PeriodicSettings] = {}

    @field_validator("data_dir")
    @classmethod
    def _resolve_data_dir(cls, value: str, info: ValidationInfo) -> str:
        if value:
            return str((_base_dir(info) / value).resolve())
        store = info.data.get("store")
        sqlite_path = store.sqlite_path if isinstance(store, StoreSettings) else None
        folder = sqlite_path.parent if sqlite_path is not None else _base_dir(info) / "var"
        return str(folder.resolve())

    @property
    def data_path(self) -> Path:
        """``data_dir`` as a Path: where the token and signing secret files live."""
        return Path(self.data_dir)

    def secrets_redacted(self) -> dict[str, Any]:
        """Every setting, durations as ``30s``, secrets as their first 4 characters."""
        return redact(self.model_dump(by_alias=True))


def env_keys() -> SectionKeys:
    """Which ``[section] key`` pairs the environment may set, and which are lists."""
    sections: dict[str, dict[str, bool]] = {}
    for name, info in Settings.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, Section):
            sections[name] = {
                (field.alias or key): typing.get_origin(field.annotation) is list
                for key, field in model.model_fields.items()
            }
    return SectionKeys(sections)


def load_settings(path: Path | None, env: Mapping[str, str] | None = None) -> Settings:
    """Read ``path`` (if given), apply ``env`` (default ``os.environ``), validate."""
    data: dict[str, Any] = _read_toml(path) if path is not None else {}
    # Validate every section from a table (not the class default), so that relative
    # paths in defaults resolve against this file's folder too.
    for name, info in Settings.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, Section):
            data.setdefault(name, {})
    overlay = read_env(os.environ if env is None else env, env_keys())
    for section, values in overlay.values.items():
        current = data.get(section)
        if isinstance(values, dict) and isinstance(current, dict):
            data[section] = {**current, **values}
        elif not isinstance(values, dict):  # a top-level value such as data_dir
            data[section] = values
        # else: the file has a non-table there; validation reports it as it stands.
    base_dir = path.resolve().parent if path is not None else Path.cwd()
    try:
        return Settings.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as error:
        raise config_error(
            error, sources=overlay.sources, origin=str(path) if path is not None else None
        ) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None


def ensure_secrets(settings: Settings) -> Settings:
    """Fill an empty token / signing secret from ``<data_dir>/token`` and
    ``<data_dir>/signing_secret``, generating each file (mode 0600) the first time."""
    server, http = settings.server, settings.http
    if not server.token:
        token = read_or_create(settings.data_path / "token", new_token)
        server = server.model_copy(update={"token": token})
    if not http.signing_secret:
        secret_file = settings.data_path / "signing_secret"
        secret = read_or_create(secret_file, new_signing_secret)
        try:
            http = HttpSettings.model_validate({**http.model_dump(), "signing_secret": secret})
        except ValidationError as error:
            raise config_error(
                error, sources={"signing_secret": str(secret_file)}, origin=None, section="http"
            ) from None
    return settings.model_copy(update={"server": server, "http": http})
