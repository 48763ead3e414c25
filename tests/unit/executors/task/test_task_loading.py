"""Importing the task modules the configuration names."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from ringback.core.errors import ConfigError
from ringback.core.executors.task import TaskRegistry, default_registry, load_task_modules


def _module(tmp_path: Path, name: str, source: str) -> str:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    return name


@pytest.fixture
def importable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_tasks_in_the_named_modules_are_gathered(importable: Path, unique: str) -> None:
    first = _module(
        importable,
        f"{unique}_statements",
        f"""
        from ringback.core.executors.task import task

        @task("{unique}.statements.fetch")
        async def fetch(account: str) -> str:
            return account

        @task("{unique}.statements.reconcile")
        def reconcile(day: str) -> None:
            pass

        def helper() -> None:
            pass
        """,
    )
    second = _module(
        importable,
        f"{unique}_payments",
        f"""
        from ringback.core.executors.task import task
        from {first} import fetch  # re-exported: the same task, not a duplicate

        @task("{unique}.payments.notify")
        def notify(order: str) -> None:
            pass
        """,
    )
    registry = TaskRegistry()

    found = load_task_modules([first, second], registry)

    assert found == [
        f"{unique}.statements.fetch",
        f"{unique}.statements.reconcile",
        f"{unique}.payments.notify",
    ]
    assert registry.names() == sorted(found)
    assert all(name in default_registry for name in found)


def test_a_missing_module_is_a_config_error_naming_it(importable: Path, unique: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_task_modules([f"{unique}_nowhere"], TaskRegistry())

    assert f"cannot import task module '{unique}_nowhere'" in error.value.message
    assert "ModuleNotFoundError" in error.value.message
    assert error.value.field == "tasks.modules"


def test_a_module_that_fails_on_import_is_a_config_error(importable: Path, unique: str) -> None:
    broken = _module(importable, f"{unique}_broken", "raise RuntimeError('no bank credentials')\n")

    with pytest.raises(ConfigError) as error:
        load_task_modules([broken], TaskRegistry())

    assert error.value.message == (
        f"cannot import task module '{broken}': RuntimeError: no bank credentials"
    )


def test_two_modules_defining_one_task_name_are_refused(importable: Path, unique: str) -> None:
    source = f"""
        from ringback.core.executors.task import task

        @task("{unique}.same")
        def same() -> None:
            pass
        """
    first = _module(importable, f"{unique}_one", source)
    second = _module(importable, f"{unique}_two", source)

    with pytest.raises(ConfigError) as error:
        load_task_modules([first, second], TaskRegistry())

    assert f"task module '{second}'" in error.value.message
    assert f"two tasks are named '{unique}.same'" in error.value.message
    assert f"{first}.same" in error.value.message and f"{second}.same" in error.value.message


def test_a_private_registry_refuses_a_clash_with_its_own_tasks(
    importable: Path, unique: str
) -> None:
    registry = TaskRegistry()
    registry.register(f"{unique}.fetch", lambda: None)
    module = _module(
        importable,
        f"{unique}_clash",
        f"""
        from ringback.core.executors.task import task

        @task("{unique}.fetch")
        def fetch() -> None:
            pass
        """,
    )

    with pytest.raises(ConfigError, match="two tasks are named"):
        load_task_modules([module], registry)
    assert module in sys.modules  # the import itself worked
