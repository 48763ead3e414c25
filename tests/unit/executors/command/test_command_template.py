"""Argument templates: placeholders are filled inside one element, never split."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.executors.command import ArgvTemplate, CommandDef


def test_placeholders_are_found_and_filled_in_place() -> None:
    template = ArgvTemplate.parse(["/opt/bank/fetch", "--date={date}", "{account}", "{{raw}}"])

    assert template.placeholders == {"date", "account"}
    assert template.render({"date": "2026-11-23", "account": "A1"}) == [
        "/opt/bank/fetch",
        "--date=2026-11-23",
        "A1",
        "{raw}",
    ]


def test_a_value_stays_one_argument_whatever_it_holds() -> None:
    template = ArgvTemplate.parse(["/bin/tool", "{account}", "--note={note}"])

    argv = template.render({"account": "; rm -rf / #", "note": "$(reboot) `id` * \n two"})

    assert argv == ["/bin/tool", "; rm -rf / #", "--note=$(reboot) `id` * \n two"]


def test_numbers_are_written_as_text() -> None:
    template = ArgvTemplate.parse(["/bin/tool", "--page={page}", "--ratio={ratio}"])

    assert template.render({"page": 3, "ratio": 0.5}) == ["/bin/tool", "--page=3", "--ratio=0.5"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({}, "values.date", "missing value for date"),
        ({"date": "d", "extra": "x"}, "values.extra", "no placeholder extra"),
        ({"date": True}, "values.date", "string or a number"),
        ({"date": None}, "values.date", "string or a number"),
        ({"date": ["a", "b"]}, "values.date", "string or a number"),
        ({"date": float("inf")}, "values.date", "finite"),
        ({"date": "a\0b"}, "values.date", "NUL"),
        ({"date": "x" * 5000}, "values.date", "longer than"),
    ],
)
def test_bad_values_name_the_field(values: dict[str, Any], field: str, message: str) -> None:
    template = ArgvTemplate.parse(["/bin/tool", "--date={date}"])

    with pytest.raises(InvalidInput, match=message) as error:
        template.render(values)

    assert error.value.field == field


def test_a_whole_argument_value_cannot_pose_as_an_option() -> None:
    template = ArgvTemplate.parse(["/bin/tool", "{file}", "--label={label}"])

    with pytest.raises(InvalidInput) as error:
        template.render({"file": "--output=/etc/passwd", "label": "ok"})
    assert error.value.field == "values.file"
    # Inside a longer element a leading '-' is just text.
    assert template.render({"file": "a", "label": "-5"})[2] == "--label=-5"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["{program}", "x"],
        ["/bin/tool", "{date:%Y}"],
        ["/bin/tool", "{date!r}"],
        ["/bin/tool", "{0}"],
        ["/bin/tool", "{}"],
        ["/bin/tool", "{a.b}"],
        ["/bin/tool", "{unclosed"],
        ["/bin/tool", "stray}"],
    ],
)
def test_bad_templates_are_configuration_errors(argv: list[str]) -> None:
    with pytest.raises(ConfigError):
        ArgvTemplate.parse(argv)


def test_a_command_definition_checks_itself() -> None:
    command = CommandDef("fetch_statement", ["/bin/fetch", "{date}"], timedelta(seconds=5))
    assert command.placeholders == {"date"}

    with pytest.raises(ConfigError) as bad_argv:
        CommandDef("fetch", ["{tool}"], timedelta(seconds=5))
    assert bad_argv.value.field == "commands.fetch.argv"
    with pytest.raises(ConfigError) as bad_timeout:
        CommandDef("fetch", ["/bin/fetch"], timedelta(0))
    assert bad_timeout.value.field == "commands.fetch.timeout"
    with pytest.raises(ConfigError):
        CommandDef("fetch", ["/bin/fetch"], timedelta(seconds=1), env={"BAD=NAME": "x"})
    with pytest.raises(ConfigError):
        CommandDef("bad name", ["/bin/fetch"], timedelta(seconds=1))
