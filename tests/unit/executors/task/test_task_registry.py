"""Registering tasks: names, duplicates, signatures, sync and async."""

from __future__ import annotations

from typing import Any

import pytest

from ringback.core.errors import ConfigError, InvalidInput
from ringback.core.executors.task import TaskContext, TaskRegistry


def test_the_decorator_registers_sync_and_async_functions() -> None:
    registry = TaskRegistry()

    @registry.task("statements.fetch")
    async def fetch(account: str) -> str:
        return account

    @registry.task("statements.reconcile")
    def reconcile(day: str, ctx: TaskContext) -> str:
        return day

    fetched = registry.get("statements.fetch")
    reconciled = registry.get("statements.reconcile")
    assert fetched is not None and fetched.function is fetch
    assert (fetched.is_async, fetched.wants_ctx) == (True, False)
    assert reconciled is not None and reconciled.function is reconcile
    assert (reconciled.is_async, reconciled.wants_ctx) == (False, True)
    assert registry.names() == ["statements.fetch", "statements.reconcile"]
    assert "statements.fetch" in registry and len(registry) == 2


def test_an_object_with_an_async_call_is_async() -> None:
    class Poller:
        async def __call__(self, day: str) -> str:
            return day

    registered = TaskRegistry().register("poll", Poller())

    assert registered.is_async


def test_two_functions_under_one_name_are_refused() -> None:
    registry = TaskRegistry()

    @registry.task("payments.notify")
    def first() -> None: ...

    def second() -> None: ...

    with pytest.raises(ConfigError, match=r"two tasks are named 'payments\.notify'") as error:
        registry.task("payments.notify")(second)

    assert "first" in error.value.message and "second" in error.value.message
    assert registry.get("payments.notify") is not None
    assert registry.get("payments.notify").function is first  # type: ignore[union-attr]


def test_registering_the_same_function_again_is_harmless() -> None:
    registry = TaskRegistry()

    def job() -> None: ...

    registry.register("again", job)
    registry.register("again", job)

    assert len(registry) == 1


@pytest.mark.parametrize("name", ["", " spaced", "semi;colon", "x" * 201, ".leading"])
def test_bad_task_names_are_refused(name: str) -> None:
    with pytest.raises(ConfigError):
        TaskRegistry().register(name, lambda: None)


def test_a_required_positional_only_parameter_is_refused() -> None:
    def positional(day: str, /) -> None: ...

    with pytest.raises(ConfigError, match="positional-only parameter 'day'"):
        TaskRegistry().register("positional", positional)


def test_args_are_checked_against_the_signature() -> None:
    registry = TaskRegistry()

    @registry.task("fetch")
    def fetch(account: str, day: str = "today", ctx: Any = None) -> None: ...

    registered = registry.get("fetch")
    assert registered is not None
    registered.check_args({"account": "A1"})
    registered.check_args({"account": "A1", "day": "2026-11-23"})
    with pytest.raises(InvalidInput, match="missing a required argument: 'account'") as missing:
        registered.check_args({"day": "2026-11-23"})
    assert missing.value.field == "args"
    with pytest.raises(InvalidInput, match="unexpected keyword argument 'acount'"):
        registered.check_args({"account": "A1", "acount": "A1"})
    with pytest.raises(InvalidInput) as ctx_given:
        registered.check_args({"account": "A1", "ctx": {}})
    assert ctx_given.value.field == "args.ctx"


def test_keyword_catch_alls_accept_any_args() -> None:
    registry = TaskRegistry()

    @registry.task("anything")
    def anything(**kwargs: object) -> None: ...

    registered = registry.get("anything")
    assert registered is not None
    registered.check_args({"a": 1, "b": [2]})
