"""Charts as inline SVG, drawn on the server (no script, no chart library).

Pure functions from numbers to markup: a stacked bar chart (deliveries per bucket)
and a line chart (success rate, latency). Every chart scales to its container
(``viewBox`` plus CSS ``width: 100%``), colours come from CSS classes, and each bar
or point carries a ``<title>`` so hovering (or a long press) shows the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 180
LEFT = 8
RIGHT = 8
TOP = 22  # room for the top y-axis label, written above its grid line
BOTTOM = 22  # room for the x-axis labels
MAX_X_LABELS = 6

Format = Callable[[float], str]  # a value as the axis and the tooltips write it


@dataclass(frozen=True, slots=True)
class Stack:
    """One bar: its parts bottom to top as (css class, value), and its tooltip."""

    parts: Sequence[tuple[str, float]]
    tooltip: str


@dataclass(frozen=True, slots=True)
class Line:
    css_class: str
    label: str
    values: Sequence[float | None]  # None: no data there (the line breaks)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value`` (min 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def plain_number(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}"


def bar_chart(
    stacks: Sequence[Stack], x_labels: Sequence[str], *, title: str, fmt: Format = plain_number
) -> Markup:
    top = nice_ceiling(max((sum(v for _, v in s.parts) for s in stacks), default=0))
    plot = _Plot(len(stacks), top)
    body: list[str] = [plot.grid(), plot.x_axis(x_labels)]
    for index, stack in enumerate(stacks):
        base = 0.0
        rects = []
        for css_class, value in stack.parts:
            if value <= 0:
                continue
            y_top, y_bottom = plot.y(base + value), plot.y(base)
            rects.append(
                f'<rect class="{css_class}" x="{plot.x(index) + plot.gap:.1f}" '
                f'y="{y_top:.1f}" width="{plot.bar_width:.1f}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}"/>'
            )
            base += value
        if rects:
            body.append(f"<g><title>{escape(stack.tooltip)}</title>{''.join(rects)}</g>")
    if not any(value > 0 for stack in stacks for _, value in stack.parts):
        body.append(_empty_note())
    body.append(plot.y_labels(fmt))
    return _svg(title, body)


def line_chart(
    lines: Sequence[Line],
    x_labels: Sequence[str],
    *,
    title: str,
    fmt: Format = plain_number,
    fixed_top: float | None = None,
) -> Markup:
    count = max((len(line.values) for line in lines), default=0)
    highest = max((v for line in lines for v in line.values if v is not None), default=0.0)
    top = fixed_top if fixed_top is not None else nice_ceiling(highest)
    plot = _Plot(count, top)
    body: list[str] = [plot.grid(), plot.x_axis(x_labels)]
    has_data = False
    for line in lines:
        path: list[str] = []
        dots: list[str] = []
        pen_down = False
        for index, value in enumerate(line.values):
            if value is None:
                pen_down = False
                continue
            has_data = True
            x, y = plot.center(index), plot.y(value)
            path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
            pen_down = True
            label = f"{x_labels[index] if index < len(x_labels) else ''} {line.label}"
            dots.append(
                f'<circle class="{line.css_class}" cx="{x:.1f}" cy="{y:.1f}" r="2.2">'
                f"<title>{escape(label.strip())}: {escape(fmt(value))}</title></circle>"
            )
        if path:
            body.append(f'<path class="{line.css_class}" d="{" ".join(path)}"/>')
            body.extend(dots)
    if not has_data:
        body.append(_empty_note())
    body.append(plot.y_labels(fmt))
    return _svg(title, body)


class _Plot:
    """Where things go in the drawing area for ``count`` slots and a y range 0..top."""

    def __init__(self, count: int, top: float) -> None:
        self.count = max(count, 1)
        self.top = top if top > 0 else 1.0
        self.width = WIDTH - LEFT - RIGHT
        self.height = HEIGHT - TOP - BOTTOM
        self.slot = self.width / self.count
        self.gap = 0.5 if self.slot > 3 else 0.0
        self.bar_width = max(self.slot - 2 * self.gap, 0.5)

    def x(self, index: int) -> float:
        return LEFT + index * self.slot

    def center(self, index: int) -> float:
        return self.x(index) + self.slot / 2

    def y(self, value: float) -> float:
        return TOP + self.height * (1 - min(value, self.top) / self.top)

    def grid(self) -> str:
        return "".join(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
            for y in (self.y(self.top * fraction) for fraction in (0.0, 0.5, 1.0))
        )

    def y_labels(self, fmt: Format) -> str:
        """The values of the grid lines, written just above each line inside the plot
        (drawn last, with a halo in CSS): no margin to outgrow when a phone's stylesheet
        makes the text larger."""
        return "".join(
            f'<text class="axis y-label" x="{LEFT + 2}" y="{self.y(value) - 4:.1f}">'
            f"{escape(fmt(value))}</text>"
            for value in (self.top * fraction for fraction in (0.0, 0.5, 1.0))
        )

    def x_axis(self, labels: Sequence[str]) -> str:
        if not labels:
            return ""
        every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
        texts = []
        for index in range(0, len(labels), every):
            texts.append(
                f'<text class="axis" x="{self.x(index):.1f}" y="{HEIGHT - 6}" '
                f'text-anchor="start">{escape(labels[index])}</text>'
            )
        return "".join(texts)


def _empty_note() -> str:
    return (
        f'<text class="empty" x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT / 2:.0f}" '
        'text-anchor="middle">no attempts in this period</text>'
    )


def _svg(title: str, body: list[str]) -> Markup:
    label = escape(title)
    # Every text that reaches the markup went through escape(); the rest is numbers
    # and CSS class names from this package.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{"".join(body)}</svg>'
    )
