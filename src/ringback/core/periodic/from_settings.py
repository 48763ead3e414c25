"""``[periodic.NAME]`` tables to schedules.

Kept out of the package's ``__init__`` on purpose: ``core.config`` imports the cron
parser to check the tables, so this module (which imports ``core.config``) must not be
loaded by the package itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from ringback.core.config import PeriodicSettings
from ringback.core.jobs import JobKind
from ringback.core.periodic.schedule import JobTemplate, PeriodicSchedule


def schedules_from_settings(tables: Mapping[str, PeriodicSettings]) -> list[PeriodicSchedule]:
    return [
        PeriodicSchedule.build(
            name,
            table.cron,
            table.tz,
            JobTemplate(
                kind=JobKind(table.kind),
                payload=dict(table.payload),
                policy=None if table.policy is None else dict(table.policy),
                queue=table.queue,
            ),
            catch_up=table.catch_up,
            catch_up_limit=table.catch_up_limit,
            misfire_grace=table.misfire_grace,
        )
        for name, table in sorted(tables.items())
    ]
