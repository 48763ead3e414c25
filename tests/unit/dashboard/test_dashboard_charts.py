"""The SVG charts: scaled axes, escaped text, an honest empty state."""

from __future__ import annotations

from datetime import date

from ringback.interfaces.dashboard.calendar_grid import month_grid, parse_month, shift_month
from ringback.interfaces.dashboard.charts import Line, Stack, bar_chart, line_chart, nice_ceiling
from ringback.interfaces.dashboard.providers import CalendarDay, DayStatus


def test_axis_tops_are_round_numbers() -> None:
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 12, 99, 101, 4999)] == [
        1,
        1,
        5,
        10,
        20,
        100,
        200,
        5000,
    ]


def test_bars_stack_to_scale_and_text_is_escaped() -> None:
    svg = bar_chart(
        [Stack([("ok", 3), ("fail", 1)], "<b>09:00</b>"), Stack([("ok", 5)], "09:01")],
        ["09:00", "09:01"],
        title='deliveries "now"',
    )
    assert svg.count("<rect") == 3
    assert "&lt;b&gt;09:00&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'aria-label="deliveries &#34;now&#34;"' in svg
    assert ">5</text>" in svg  # the top of the axis
    assert "no attempts" not in svg


def test_empty_charts_say_so() -> None:
    assert "no attempts in this period" in bar_chart([Stack([("ok", 0)], "x")], ["x"], title="t")
    empty_line = line_chart([Line("line-ok", "rate", [None, None])], ["a", "b"], title="t")
    assert "no attempts in this period" in empty_line and "<path" not in empty_line


def test_lines_break_where_data_is_missing() -> None:
    svg = line_chart([Line("line-avg", "avg", [10, None, 30, 40])], list("abcd"), title="t")
    path = svg.split('d="')[1].split('"')[0]
    assert path.count("M") == 2 and path.count("L") == 1
    assert svg.count("<circle") == 3


def test_a_month_as_weeks() -> None:
    march = parse_month("2026-03", date(2026, 1, 1))
    assert march == date(2026, 3, 1)
    assert parse_month(None, date(2026, 5, 17)) == date(2026, 5, 1)
    weeks = month_grid(march, [CalendarDay(date(2026, 3, 14), DayStatus.FAILED, detail="x")])
    assert len(weeks) == 6 and all(len(week) == 7 for week in weeks)
    assert weeks[0][:6] == [None] * 6  # 1 March 2026 is a Sunday
    days = [day for week in weeks for day in week if day is not None]
    assert len(days) == 31
    assert days[13].status is DayStatus.FAILED and days[12].status is DayStatus.NONE
    assert shift_month(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert shift_month(date(2026, 12, 1), 1) == date(2027, 1, 1)
