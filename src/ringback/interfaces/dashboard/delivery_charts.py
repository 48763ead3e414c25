"""Deliveries over a window as the Overview and Endpoints pages draw them: attempts
per bucket (answered, failed, interrupted), the success rate and the latency."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ringback.core.service.stats import HOUR, DeliverySeries, DeliverySummary
from ringback.core.store.contract import AttemptBucket
from ringback.interfaces.dashboard.charts import Line, Stack, bar_chart, line_chart


@dataclass(frozen=True, slots=True)
class DeliveryPanel:
    title: str
    summary: DeliverySummary
    per: str  # "minute" or "hour": what one bar stands for
    volume: Markup
    success: Markup
    latency: Markup


def delivery_panel(series: DeliverySeries, *, title: str) -> DeliveryPanel:
    hourly = series.bucket >= HOUR
    labels = [bucket_label(b, hourly=hourly) for b in series.buckets]
    stacks = [
        Stack(
            parts=[
                ("ok", b.successes),
                ("fail", b.failures),
                ("other", b.attempts - b.successes - b.failures),
            ],
            tooltip=_tooltip(b, label),
        )
        for b, label in zip(series.buckets, labels, strict=True)
    ]
    rates = [_rate(b) for b in series.buckets]
    average = [b.total_duration_ms / b.attempts if b.attempts else None for b in series.buckets]
    longest = [float(b.max_duration_ms) if b.attempts else None for b in series.buckets]
    per = "hour" if hourly else "minute"
    return DeliveryPanel(
        title=title,
        summary=series.summary,
        per=per,
        volume=bar_chart(stacks, labels, title=f"{title}: attempts per {per}"),
        success=line_chart(
            [Line("line-ok", "success rate", rates)],
            labels,
            title=f"{title}: success rate",
            fmt=percent_label,
            fixed_top=100.0,
        ),
        latency=line_chart(
            [Line("line-avg", "average", average), Line("line-max", "slowest", longest)],
            labels,
            title=f"{title}: latency",
            fmt=duration_label,
        ),
    )


def percent_label(value: float) -> str:
    return f"{value:.0f}%"


def duration_label(value_ms: float) -> str:
    """Milliseconds as people read them on an axis: 120 ms, 1.5 s, 2.5 min."""
    if value_ms < 1000:
        return f"{value_ms:.0f} ms"
    if value_ms < 60_000:
        return f"{value_ms / 1000:.2g} s"
    return f"{value_ms / 60_000:.2g} min"


def bucket_label(bucket: AttemptBucket, *, hourly: bool) -> str:
    return bucket.start.strftime("%H:00" if hourly else "%H:%M")


def _rate(bucket: AttemptBucket) -> float | None:
    answered = bucket.successes + bucket.failures
    return 100.0 * bucket.successes / answered if answered else None


def _tooltip(bucket: AttemptBucket, label: str) -> str:
    if not bucket.attempts:
        return f"{label}: no attempts"
    average_ms = bucket.total_duration_ms / bucket.attempts
    return (
        f"{label}: {bucket.attempts} attempts, {bucket.successes} ok, "
        f"{bucket.failures} failed, average {average_ms:.0f} ms"
    )
