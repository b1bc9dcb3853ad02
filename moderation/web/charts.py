"""Bar charts as geometry for a template to draw as SVG: no script, no request elsewhere."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One rectangle: a value of one series at one label."""

    x: float
    y: float
    width: float
    height: float
    value: int
    series: int
    label: str


@dataclass(frozen=True)
class Chart:
    """What the `bar_chart` macro draws: bars, axis labels and ticks, in SVG units."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, str], ...]  # x of the label's centre, text
    ticks: tuple[tuple[float, int], ...]  # y of the tick, value
    plot_left: int
    plot_bottom: int


def nice_ceiling(value: int) -> int:
    """The axis maximum: 1, 2 or 5 times a power of ten, at least `value`.

    >>> [nice_ceiling(v) for v in (0, 1, 3, 7, 12, 48, 51, 999)]
    [1, 1, 5, 10, 20, 50, 100, 1000]
    """
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def bar_chart(labels: Sequence[str], series: Sequence[Sequence[int]], *, width: int = 640,
              height: int = 180, every: int = 1) -> Chart:
    """Stack `series` (each a value per label) as bars; label every `every`-th bar.

    >>> chart = bar_chart(["a", "b"], [[1, 2], [3, 0]], width=100, height=60)
    >>> [(bar.label, bar.value, bar.series) for bar in chart.bars]
    [('a', 1, 0), ('a', 3, 1), ('b', 2, 0)]
    >>> [value for _, value in chart.ticks]
    [0, 2, 5]
    """
    left, right, top, bottom = 32, 8, 8, 22
    plot_width, plot_height = width - left - right, height - top - bottom
    totals = [sum(values[i] for values in series) for i in range(len(labels))]
    top_value = nice_ceiling(max(totals, default=0))
    slot = plot_width / max(len(labels), 1)
    bar_width = max(slot * 0.8, 1.0)
    bars = []
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar_width) / 2
        base = float(top + plot_height)
        for s, values in enumerate(series):
            if not values[i]:
                continue
            h = values[i] / top_value * plot_height
            base -= h
            bars.append(Bar(round(x, 1), round(base, 1), round(bar_width, 1), round(h, 1),
                            values[i], s, label))
    ticks = tuple((round(top + plot_height - v / top_value * plot_height, 1), v)
                  for v in sorted({0, top_value // 2, top_value}))
    shown = tuple((round(left + i * slot + slot / 2, 1), label)
                  for i, label in enumerate(labels) if i % every == 0)
    return Chart(width, height, tuple(bars), shown, ticks, left, top + plot_height)
