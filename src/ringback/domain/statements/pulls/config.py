"""The ``[statements]`` section: statement sources, checked completely at start.

```toml
[statements.sources.bank]
kind = "http"                      # or "plugin" (see plugin_source.py)
url = "https://bank.example.com/statement"
json = { merchant = "898310048160001", date = "{date}" }
file = "file"
not_ready = { field = "code", equals = "9999" }
too_frequent = { field = "code", equals = "1001" }
schedule = "30 0 * * *"            # cron, in tz; "" = pulled by hand only
tz = "Asia/Shanghai"
day_offset = -1                    # yesterday's statement
min_interval = "30m"
deadline = "12:00"                 # on the pull day, in tz
format = { type = "delimited", … } # see docs/statements.md
ledger = "orders"                  # or "orders:<app>", "csv:<path>", "none"
reconcile = { tolerance_minor = 0, window = "15m", carry_for = "2d" }
```

Every mistake is a ``ConfigError`` naming the dotted key (``statements.sources.bank.url``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ringback.core.config import Duration, PositiveDuration
from ringback.core.config_errors import config_error
from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.periodic import parse_cron, zone

from ..formats import parse_format_spec
from ..limits import DecodeLimits
from ..reconcile import ReconcileOptions
from .answers import AnswerRule, AnswerRules
from .http_source import HttpSource
from .ledger_spec import parse_ledger_spec
from .plugin_source import PluginSource, load_plugin
from .source import SOURCE_NAME, StatementsConfig, StatementSource

SECTION = "statements"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleSettings(_Model):
    field: str | None = None
    equals: str | list[str] | None = None
    status: int | list[int] | None = None

    @model_validator(mode="after")
    def _complete(self) -> RuleSettings:
        if (self.field is None) != (self.equals is None):
            raise ValueError("give 'field' and 'equals' together")
        if self.field is None and self.status is None:
            raise ValueError(
                "give field and equals, or status, e.g. {field = 'code', equals = '9999'}"
            )
        return self

    def rule(self) -> AnswerRule:
        equals = [self.equals] if isinstance(self.equals, str) else self.equals or []
        status = [self.status] if isinstance(self.status, int) else self.status or []
        return AnswerRule(field=self.field, equals=tuple(map(str, equals)), status=tuple(status))


class ReconcileSettings(_Model):
    tolerance_minor: Annotated[int, Field(ge=0)] = 0
    window: Duration = timedelta(minutes=15)
    carry_for: Duration = timedelta(days=2)
    day_zone: str | None = None  # default: the source's tz
    match_refund_no: bool = False


class SourceSettings(_Model):
    kind: Literal["http", "plugin"]
    url: Annotated[str, Field(pattern=r"^https?://[^/\s]+")] | None = None
    method: Literal["GET", "POST"] = "POST"
    query: dict[str, str] = {}
    json_body: dict[str, Any] | None = Field(default=None, alias="json")
    headers: dict[str, str] = {}
    date_format: str = "%Y-%m-%d"
    file: str = "file"
    not_ready: RuleSettings | None = None
    too_frequent: RuleSettings | None = None
    ready: RuleSettings | None = None
    timeout: PositiveDuration = timedelta(seconds=60)
    plugin: str | None = None
    options: dict[str, Any] = {}
    schedule: str = "30 0 * * *"
    tz: str = "UTC"
    day_offset: Annotated[int, Field(ge=-31, le=0)] = -1
    min_interval: PositiveDuration = timedelta(minutes=30)
    deadline: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "12:00"
    manual_window: PositiveDuration = timedelta(hours=12)
    catch_up: bool = True
    format: dict[str, Any]
    encoding: Literal["auto", "gbk", "gb18030", "utf-8"] = "auto"
    member: str | None = None
    limits: dict[str, int] = {}
    ledger: str = "orders"
    reconcile: ReconcileSettings = ReconcileSettings()
    queue: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")] = "default"
    attempt_timeout: PositiveDuration = timedelta(minutes=5)

    @model_validator(mode="after")
    def _kind_fields(self) -> SourceSettings:
        if self.kind == "http" and self.url is None:
            raise ValueError("an http source needs url")
        if self.kind == "plugin" and self.plugin is None:
            raise ValueError("a plugin source needs plugin = 'package.module:function'")
        return self


class StatementsSettings(_Model):
    sources: dict[str, SourceSettings] = {}


def parse_statements_config(raw: Mapping[str, Any], *, base_dir: Path) -> StatementsConfig | None:
    """The checked section, or None when it is empty (the feature is off)."""
    if not raw:
        return None
    try:
        settings = StatementsSettings.model_validate(raw)
    except ValidationError as error:
        raise config_error(error, sources={}, origin=None, section=SECTION) from None
    sources: dict[str, StatementSource] = {}
    for name, table in settings.sources.items():
        prefix = f"{SECTION}.sources.{name}"
        if not SOURCE_NAME.fullmatch(name):
            raise ConfigError(
                "a source name is 1-64 letters, digits or _.- starting with a letter or digit",
                field=prefix,
            )
        try:
            sources[name] = _source(name, table, base_dir, prefix)
        except InvalidInput as error:
            where = f"{prefix}.{error.field}" if error.field else prefix
            raise ConfigError(f"{where}: {error.message}", field=where) from None
    return StatementsConfig(sources)


def _source(name: str, table: SourceSettings, base_dir: Path, prefix: str) -> StatementSource:
    place = zone(table.tz)
    hours, minutes = table.deadline.split(":")
    options = table.reconcile
    return StatementSource(
        name=name,
        fetch=_fetch(table, prefix),
        format=parse_format_spec(table.format),
        ledger=parse_ledger_spec(table.ledger, base_dir=base_dir, field=f"{prefix}.ledger"),
        reconcile=ReconcileOptions(
            tolerance_minor=options.tolerance_minor,
            window=options.window,
            carry_for=options.carry_for,
            day_zone=options.day_zone or place.key,
            match_refund_no=options.match_refund_no,
        ),
        tz=place,
        schedule=parse_cron(table.schedule, field="schedule") if table.schedule else None,
        day_offset=table.day_offset,
        min_interval=table.min_interval,
        deadline=time(int(hours), int(minutes)),
        manual_window=table.manual_window,
        catch_up=table.catch_up,
        encoding=table.encoding,
        member=table.member,
        limits=DecodeLimits.from_config(table.limits),
        queue=table.queue,
        attempt_timeout=table.attempt_timeout,
    )


def _fetch(table: SourceSettings, prefix: str) -> HttpSource | PluginSource:
    if table.kind == "plugin":
        assert table.plugin is not None
        function = load_plugin(table.plugin, field_name=f"{prefix}.plugin")
        return PluginSource(table.plugin, function, dict(table.options), table.timeout)
    assert table.url is not None
    rules = AnswerRules(
        file_field=table.file,
        not_ready=None if table.not_ready is None else table.not_ready.rule(),
        too_frequent=None if table.too_frequent is None else table.too_frequent.rule(),
        ready=None if table.ready is None else table.ready.rule(),
    )
    return HttpSource(
        url=table.url,
        rules=rules,
        method=table.method,
        query=dict(table.query),
        json_body=None if table.json_body is None else dict(table.json_body),
        headers=dict(table.headers),
        date_format=table.date_format,
        timeout=table.timeout,
    )
