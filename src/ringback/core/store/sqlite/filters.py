"""``JobFilter`` -> a WHERE clause made of the named fragments in ``queries.sql``.

Only the fragments for the fields that are set are joined, so SQLite sees plain
conditions it can match to an index (a catch-all ``:x IS NULL OR col = :x`` form
would defeat the planner).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ringback.core.errors import InvalidInput
from ringback.core.jobs import JobKind, JobState
from ringback.core.store.contract import JobFilter
from ringback.core.store.sqlite.codec import SqlParams, json_list, to_micros
from ringback.core.store.sqlite.queries import SQL, WHERE_MARKER


def filtered(
    query_name: str, where: JobFilter, before_id: int | None = None
) -> tuple[str, SqlParams]:
    """The named query with its WHERE marker filled in, and the parameters it needs."""
    fragments: list[str] = []
    params: SqlParams = {}

    def add(fragment: str, **values: object) -> None:
        fragments.append(SQL[fragment])
        params.update(values)

    if before_id is not None:
        add("where_before_id", before_id=before_id)
    states = _values(JobState, where.states, "states")
    if len(states) == 1:
        add("where_state", state=states[0])
    elif states:
        add("where_states", states=json_list(states))
    if where.kinds:
        add("where_kinds", kinds=json_list(_values(JobKind, where.kinds, "kinds")))
    if where.queue is not None:
        add("where_queue", queue=where.queue)
    if where.key is not None:
        add("where_key", key=where.key)
    if where.target is not None:
        add("where_target", target=where.target)
    if where.label is not None:
        name, value = _label(where.label)
        add("where_label", label_name=name, label_value=value)
    if where.created_from is not None:
        add("where_created_from", created_from=to_micros(where.created_from, "created_from"))
    if where.created_to is not None:
        add("where_created_to", created_to=to_micros(where.created_to, "created_to"))
    clause = " AND ".join(f"({fragment})" for fragment in fragments) or SQL["where_all"]
    return SQL[query_name].replace(WHERE_MARKER, clause), params


def split_by_state(where: JobFilter) -> list[JobFilter] | None:
    """One single-state filter per state when a page is best read state by state.

    An index range on (state, id) or (queue, state, id) yields rows in id order, so a
    page needs no sort. Several states (or a queue with any state) would otherwise be
    read through the index and then sorted in full: with millions of scheduled jobs a
    bounded read per state, merged afterwards, is far cheaper.
    """
    if len(where.states) > 1:
        states = [JobState(state) for state in _values(JobState, where.states, "states")]
    elif where.queue is not None and not where.states:
        states = list(JobState)
    else:
        return None
    return [replace(where, states=frozenset({state})) for state in states]


def _values(
    enum_type: type[JobState] | type[JobKind], members: Iterable[str], field: str
) -> list[str]:
    try:
        return sorted({enum_type(member).value for member in members})
    except ValueError:
        raise InvalidInput(f"unknown value in {field}: {sorted(members)}", field=field) from None


def _label(label: tuple[str, str]) -> tuple[str, str]:
    if (
        not isinstance(label, tuple)
        or len(label) != 2
        or not all(isinstance(part, str) for part in label)
    ):
        raise InvalidInput("label filter must be a (name, value) pair of strings", field="label")
    return label
