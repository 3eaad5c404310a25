"""Charts as SVG for the Insights page and the benchmarks: rates with their intervals, lines, a
grid of shaded cells (weekday by time of day) and the follow-up funnel.

Every chart is one ``<svg>`` element as text, the same text for the same input: it takes the
width of its box (a phone's too), carries its title and a one-sentence summary for screen
readers, and is coloured through classes by its own ``<style>`` (with dark variants), so a page
shows it inline with no script and no file to fetch. Text a user wrote (message names, series
names) is cleaned of what XML cannot hold and escaped. Bad numbers raise ``ValueError``.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
#: The width of every chart in its own units; the height follows the content.
WIDTH = 600
#: A line with more points than this is thinned (see :func:`thin_points`).
MAX_POINTS = 400
#: How long a label may be before it is cut with an ellipsis (the full one is in a tooltip).
LABEL_CHARS = 28

#: All the lines of one chart together draw at most this many points: the file stays small.
_POINTS_BUDGET = 3200
_TOP = 44  # below the visible title
_ROW = 30
_LABEL_RIGHT = 190
_PLOT_LEFT = 198
_PLOT_RIGHT = 448
#: Stands for the chart's id until it is known (a hash of the chart): cleaned text holds no NUL.
_ID = "\x00"
#: What XML 1.0 cannot hold (most C0 controls, lone surrogates, U+FFFE/FFFF), and the C1 controls.
_UNFIT = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")
#: The fill of a cell with no data: a pattern is what stays readable in both colour schemes.
_HATCH = (
    f'<defs><pattern id="{_ID}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect class="bg" width="6" height="6"/>'
    '<line class="hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>'
)
_PERCENT_AXES = ((0.05, 0.01), (0.1, 0.02), (0.2, 0.05), (0.25, 0.05), (0.5, 0.1), (1.0, 0.25))

_LIGHT = {
    "text": "#1f2328", "muted": "#59636e", "bg": "#ffffff", "grid": "#d8dee4", "axis": "#59636e",
    "bar": "#2f6f8f", "hatch": "#afb8c1",
    "c0": "#0b6ea8", "c1": "#c24d00", "c2": "#1a7f4b", "c3": "#7a3fd9",
    "c4": "#b5176b", "c5": "#7a6300", "c6": "#006f75", "c7": "#4b5563",
    "s0": "#eef5fa", "s1": "#c6dded", "s2": "#8fbcd9", "s3": "#3b78a6", "s4": "#1f5a88",
    "i0": "#1f2328", "i1": "#1f2328", "i2": "#1f2328", "i3": "#ffffff", "i4": "#ffffff",
}  # fmt: skip
#: In the dark the ramp runs the other way (more is brighter), so "more" still stands out.
_DARK = {
    "text": "#e6e9ed", "muted": "#a1a9b2", "bg": "#16181b", "grid": "#30363d", "axis": "#8b949e",
    "bar": "#5fa8cf", "hatch": "#484f58",
    "c0": "#5cb3ff", "c1": "#ff9955", "c2": "#5fd08f", "c3": "#b99bff",
    "c4": "#ff7ab8", "c5": "#e0c34d", "c6": "#4fd1d9", "c7": "#c2c9d1",
    "s0": "#1d2a35", "s1": "#23465f", "s2": "#2f6a91", "s3": "#5d9cc8", "s4": "#a8d4f0",
    "i0": "#e6e9ed", "i1": "#e6e9ed", "i2": "#e6e9ed", "i3": "#111418", "i4": "#111418",
}  # fmt: skip
_COLOURED = (
    ("text", "fill", "text"), (".muted", "fill", "muted"), (".bg", "fill", "bg"),
    (".grid", "stroke", "grid"), (".axis", "stroke", "axis"), (".bar", "fill", "bar"),
    (".stage", "fill", "bar"), (".whisker", "stroke", "text"), (".hatch", "stroke", "hatch"),
    (".empty", "stroke", "grid"),
    *((f".c{i}", "stroke", f"c{i}") for i in range(8)),
    *((f".shade{i} rect", "fill", f"s{i}") for i in range(5)),
    *((f".shade{i} text", "fill", f"i{i}") for i in range(5)),
)  # fmt: skip


def _colours(palette: dict[str, str]) -> str:
    return "".join(f".rb-chart {what}{{{prop}:{palette[role]}}}" for what, prop, role in _COLOURED)


_STYLE = (
    ".rb-chart text{font-family:system-ui,sans-serif;font-size:12px}"
    ".rb-chart .title{font-size:15px;font-weight:600}"
    ".rb-chart .whisker{stroke-width:1.5;fill:none}.rb-chart .hatch{stroke-width:2}"
    ".rb-chart .line{fill:none;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}"
    ".rb-chart .dashed{stroke-dasharray:9 5}.rb-chart .dotted{stroke-dasharray:1 4.5}"
    + _colours(_LIGHT)
    + "@media (prefers-color-scheme: dark){"
    + _colours(_DARK)
    + "}"
)


@dataclass(frozen=True, slots=True)
class RateBar:
    """One row of :func:`rate_bars`: a rate (``None``: not enough data yet) and its 95 % interval."""

    label: str
    rate: float | None
    low: float | None = None
    high: float | None = None
    #: Shown after the rate, e.g. "8 of 64".
    note: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    """One line of :func:`line_chart`: its ``(x, y)`` points in drawing order."""

    name: str
    points: Sequence[tuple[float, float]]
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of :func:`heat_grid`: its value (``None``: no data), its text and its tooltip
    (by default "<row> <column>: <text>")."""

    value: float | None
    text: str = ""
    tip: str = ""


def clean_text(text: str) -> str:
    """``text`` on one line as XML 1.0 can hold it: no control characters, runs of spaces and
    line breaks as one space, no space at either end."""
    return _SPACES.sub(" ", _UNFIT.sub("", text)).strip()


def _text(text: str) -> str:
    return html.escape(clean_text(text), quote=True)


def _cut(text: str, chars: int) -> str:
    text = clean_text(text)
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no "-0"."""
    text = f"{value + 0.0:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _decimals(step: float) -> int:
    """How many decimals show every multiple of ``step`` exactly."""
    return next((d for d in range(12) if abs(round(step, d) - step) <= abs(step) * 1e-6), 12)


def _format(value: float, percent: bool, decimals: int = 1) -> str:
    if percent:
        return f"{value * 100 + 0.0:.{decimals}f} %"
    return f"{value + 0.0:,.{decimals}f}"


def _check(value: float, what: str, percent: bool) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{what} {value} is not a finite number")
    if percent and not 0 <= value <= 1:
        raise ValueError(f"{what} {value} is not between 0 and 1")
    if value < 0:
        raise ValueError(f"{what} {value} is negative")


def _text_at(x: float, y: float, content: str, cls: str = "", anchor: str = "start") -> str:
    """A ``<text>`` of ``content`` (already escaped)."""
    attributes = f' class="{cls}"' if cls else ""
    if anchor != "start":
        attributes += f' text-anchor="{anchor}"'
    return f'<text x="{_n(x)}" y="{_n(y)}"{attributes}>{content}</text>'


def _label(text: str, chars: int) -> str:
    """``text`` cleaned, cut to ``chars`` and escaped."""
    return html.escape(_cut(text, chars), quote=True)


def _rect(x: float, y: float, width: float, height: float, cls: str = "") -> str:
    """A ``<rect>``; of class "empty", it is hatched."""
    look = f' class="{cls}"' + (f' fill="url(#{_ID}-hatch)"' if cls == "empty" else "") if cls else ""
    return f'<rect{look} x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"/>'


def _line(x1: float, y1: float, x2: float, y2: float, cls: str) -> str:
    return f'<line class="{cls}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"/>'


#: The charts' stylesheet: inside each chart, and served as ``ringback/charts.css`` for pages whose
#: Content-Security-Policy refuses inline styles (see :func:`unstyled`).
CHART_CSS = _STYLE


def unstyled(svg: str) -> str:
    """A chart of this module without its ``<style>`` element, for a page that links
    :data:`CHART_CSS` instead (a strict Content-Security-Policy blocks inline styles)."""
    return svg.replace(f"<style>{_STYLE}</style>", "", 1)


def _svg(kind: str, title: str, summary: str, height: float, body: Sequence[str], defs: str = "") -> str:
    """The chart: ``body`` under a visible title, with its accessible name and summary; its ids
    come from a hash of the chart, so two different charts on one page never share one."""
    inner = defs + "".join(body)
    key = hashlib.sha256("\x1f".join((kind, _text(title), _text(summary), inner)).encode()).hexdigest()
    ident = f"rb-{key[:12]}"
    return (
        f'<svg xmlns="{SVG_NS}" class="rb-chart rb-{kind}" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{_text(title)}</title><desc id="{ident}-desc">{_text(summary)}</desc>'
        f'<style>{_STYLE}</style><rect class="bg" width="{WIDTH}" height="{_n(height)}"/>'
        + _text_at(12, 26, _label(title, 70), "title")
        + inner.replace(_ID, ident)
        + "</svg>"
    )


def _empty(title: str) -> str:
    body = [_text_at(12, 64, "Nothing to show yet", "muted")]
    return _svg("empty", title, "Nothing to show yet.", 88, body)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round numbers 1, 2, 2.5 or 5 times a power of ten apart, increasing, from at or below
    ``low`` to at or above ``high``: about ``count`` of them (at least 2). A range of one value
    gets a span around it."""
    if not (math.isfinite(low) and math.isfinite(high) and math.isfinite(high - low)):
        raise ValueError(f"axis from {low} to {high} is not finite")
    if low > high:
        raise ValueError(f"axis low {low} is above its high {high}")
    if count < 2:
        raise ValueError(f"an axis needs at least 2 ticks, not {count}")
    size = max(abs(low), abs(high))
    if high - low <= size * 1e-9:
        pad = size / 10 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / (count - 1)
    power = math.floor(math.log10(raw))
    step = next(m * 10.0**power for m in (1, 2, 2.5, 5, 10) if m * 10.0**power >= raw * (1 - 1e-9))
    digits = max(0, 1 - power)
    first, last = math.floor(low / step), math.ceil(high / step)
    # Float division can land one step inside the range: widen until the ends cover it.
    while round(first * step, digits) > low:
        first -= 1
    while round(last * step, digits) < high:
        last += 1
    return [round(k * step, digits) + 0.0 for k in range(first, last + 1)]


def thin_points(points: Sequence[tuple[float, float]], limit: int = MAX_POINTS) -> list[tuple[float, float]]:
    """At most ``limit`` (at least 2) of ``points`` in their order: the first, the last and
    evenly spaced ones between; all of them when there are no more than ``limit``."""
    if limit < 2:
        raise ValueError(f"a line keeps at least 2 points, not {limit}")
    total = len(points)
    if total <= limit:
        return list(points)
    return [points[round(i * (total - 1) / (limit - 1))] for i in range(limit)]


def _check_bar(bar: RateBar, percent: bool) -> None:
    name = f"bar {bar.label!r}"
    for what, value in (("rate", bar.rate), ("low", bar.low), ("high", bar.high)):
        if value is not None:
            _check(value, f"{name}: {what}", percent)
    if (bar.low is None) != (bar.high is None):
        raise ValueError(f"{name}: give both low and high, or neither")
    if bar.low is not None and bar.high is not None and bar.low > bar.high:
        raise ValueError(f"{name}: low {bar.low} is above high {bar.high}")


def _bar_axis(bars: Sequence[RateBar], percent: bool) -> tuple[float, list[float], int]:
    """The axis's end, its ticks and their decimals."""
    largest = max((v for b in bars for v in (b.rate, b.high) if v is not None), default=0.0)
    if not percent:
        ticks = nice_ticks(0.0, largest or 1.0)
        return ticks[-1], ticks, _decimals(ticks[1] - ticks[0])
    top, step = next((t, s) for t, s in _PERCENT_AXES if t >= largest - 1e-12)
    ticks = [round(k * step, 4) for k in range(round(top / step) + 1)]
    return top, ticks, _decimals(step * 100)


def _bar_tip(bar: RateBar, percent: bool) -> str:
    tip = f"{clean_text(bar.label)}: " + (
        "not enough data" if bar.rate is None else _format(bar.rate, percent)
    )
    if bar.rate is not None and bar.low is not None and bar.high is not None:
        tip += f" (95 % interval {_format(bar.low, percent)} to {_format(bar.high, percent)})"
    return f"{tip}, {clean_text(bar.note)}" if clean_text(bar.note) else tip


def _bar_row(bar: RateBar, top: float, scale: float, percent: bool) -> str:
    mid = top + _ROW / 2
    parts = [
        f'<g class="row"><title>{_text(_bar_tip(bar, percent))}</title>',
        _text_at(_LABEL_RIGHT, mid + 4, _label(bar.label, LABEL_CHARS), anchor="end"),
    ]
    note = f'<tspan class="muted" dx="6">{_label(bar.note, 14)}</tspan>' if clean_text(bar.note) else ""
    if bar.rate is None:
        return "".join(parts) + _text_at(_PLOT_LEFT + 6, mid + 4, "not enough data" + note, "muted") + "</g>"
    end = _PLOT_LEFT + bar.rate * scale
    parts.append(_rect(_PLOT_LEFT, mid - 7, end - _PLOT_LEFT, 14, "bar"))
    if bar.low is not None and bar.high is not None:
        low, high = _PLOT_LEFT + bar.low * scale, _PLOT_LEFT + bar.high * scale
        # The caps stand out above and below the bar: where the whisker crosses it, it is faint.
        caps = f"M{_n(low)} {_n(mid - 9)}V{_n(mid + 9)}M{_n(high)} {_n(mid - 9)}V{_n(mid + 9)}"
        parts += [_line(low, mid, high, mid, "whisker"), f'<path class="whisker" d="{caps}"/>']
        end = max(end, high)
    parts.append(_text_at(end + 6, mid + 4, html.escape(_format(bar.rate, percent)) + note, "value"))
    return "".join(parts) + "</g>"


def _extremes(items: Sequence[tuple[float, str]]) -> str:
    """The highest and lowest of ``(value, description)`` pairs (the first of ties), in words."""
    best, worst = max(items, key=lambda item: item[0]), min(items, key=lambda item: item[0])
    return f"highest: {best[1]}; lowest: {worst[1]}" if len(items) > 1 else f"only one: {best[1]}"


def _bar_summary(bars: Sequence[RateBar], percent: bool) -> str:
    rated = [
        (b.rate, f"{clean_text(b.label)} at {_format(b.rate, percent)}") for b in bars if b.rate is not None
    ]
    if not rated:
        return f"Not enough data yet for any of the {len(bars)} rows."
    missing = len(bars) - len(rated)
    return f"Rows by rate, {_extremes(rated)}" + (f"; {missing} without enough data yet." if missing else ".")


def rate_bars(bars: Sequence[RateBar], *, title: str, percent: bool = True) -> str:
    """Horizontal bars, one row per bar in the order given: its label, a bar as long as its rate
    with the interval as a whisker, then the rate and note; "not enough data" for a ``None``
    rate. Rates are fractions (0..1) shown as percents, or with ``percent=False`` any number
    not below 0. The axis runs from 0 to a round value above every rate and interval."""
    for bar in bars:
        _check_bar(bar, percent)
    if not bars:
        return _empty(title)
    top, ticks, decimals = _bar_axis(bars, percent)
    scale = (_PLOT_RIGHT - _PLOT_LEFT) / top
    bottom = _TOP + len(bars) * _ROW
    body = []
    for tick in ticks:
        x = _PLOT_LEFT + tick * scale
        body.append(_line(x, _TOP - 4, x, bottom, "axis" if tick == 0 else "grid"))
        body.append(
            _text_at(x, bottom + 16, html.escape(_format(tick, percent, decimals)), "muted", "middle")
        )
    body += [_bar_row(bar, _TOP + i * _ROW, scale, percent) for i, bar in enumerate(bars)]
    return _svg("bars", title, _bar_summary(bars, percent), bottom + 28, body)


def _check_series(series: Series, percent: bool) -> None:
    for i, (x, y) in enumerate(series.points):
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"series {series.name!r}: point {i} ({x}, {y}) is not finite")
        if percent and not 0 <= y <= 1:
            raise ValueError(f"series {series.name!r}: point {i} has y {y}, not between 0 and 1")


def _place(value: float, ticks: Sequence[float], start: float, end: float) -> float:
    """Where ``value`` falls between ``start`` (the first tick) and ``end`` (the last)."""
    return start + (value - ticks[0]) / (ticks[-1] - ticks[0]) * (end - start)


def _axes(
    x_ticks: list[float], y_ticks: list[float], box: tuple[float, float, float, float], percent: bool
) -> list[str]:
    left, top, right, bottom = box
    body = [_line(left, bottom, right, bottom, "axis"), _line(left, top, left, bottom, "axis")]
    decimals = _decimals(x_ticks[1] - x_ticks[0])
    for tick in x_ticks:
        x = _place(tick, x_ticks, left, right)
        body += [
            _line(x, top, x, bottom, "grid"),
            _text_at(x, bottom + 16, _format(tick, False, decimals), "muted", "middle"),
        ]
    decimals = _decimals((y_ticks[1] - y_ticks[0]) * (100 if percent else 1))
    for tick in y_ticks:
        y = _place(tick, y_ticks, bottom, top)
        label = html.escape(_format(tick, percent, decimals))
        body += [_line(left, y, right, y, "grid"), _text_at(left - 6, y + 4, label, "muted", "end")]
    # The grid first: the axes go on top of it.
    return body[2:] + body[:2]


def line_chart(
    series: Sequence[Series], *, title: str, x_label: str, y_label: str, y_percent: bool = False
) -> str:
    """Lines with a legend below, on round ticks of both axes (y from 0, or below if a value
    is). Colours repeat after 8 lines; every other line is dotted and a ``dashed`` one dashed,
    so lines differ by more than colour. A line of more than :data:`MAX_POINTS` points is
    thinned (fewer when there are many lines). With ``y_percent`` every y is in 0..1."""
    for line in series:
        _check_series(line, y_percent)
    drawn = [line for line in series if line.points]
    if not drawn:
        return _empty(title)
    xs = [p[0] for line in drawn for p in line.points]
    ys = [p[1] for line in drawn for p in line.points]
    x_ticks, y_ticks = nice_ticks(min(xs), max(xs)), nice_ticks(min(0.0, min(ys)), max(ys))
    left, top, right, bottom = 76.0, float(_TOP), WIDTH - 16.0, _TOP + 240.0
    body = _axes(x_ticks, y_ticks, (left, top, right, bottom), y_percent)
    body.append(_text_at((left + right) / 2, bottom + 36, _text(x_label), anchor="middle"))
    middle = _n((top + bottom) / 2)
    turned = f'transform="rotate(-90 16 {middle})" text-anchor="middle"'
    body.append(f'<text x="16" y="{middle}" {turned}>{_text(y_label)}</text>')
    limit = max(2, min(MAX_POINTS, _POINTS_BUDGET // len(drawn)))
    for i, line in enumerate(series):
        look = f"line c{i % 8} {'dashed' if line.dashed else ('dotted' if i % 2 else 'solid')}"
        # One point is a zero-length line: with round caps, a dot.
        points = thin_points(line.points, limit) * (2 if len(line.points) == 1 else 1)
        drawing = " ".join(
            f"{_n(_place(x, x_ticks, left, right))},{_n(_place(y, y_ticks, bottom, top))}" for x, y in points
        )
        if drawing:
            polyline = f'<polyline class="{look}" points="{drawing}"/>'
            body.append(f'<g class="series"><title>{_text(line.name)}</title>{polyline}</g>')
        x, y = 16 + (i % 3) * 190, bottom + 60 + (i // 3) * 20
        key = _line(x, y, x + 28, y, look) + _text_at(x + 34, y + 4, _label(line.name, 22))
        body.append(f'<g class="key"><title>{_text(line.name)}</title>{key}</g>')
    ends = [
        (s.points[-1][1], f"{clean_text(s.name)} at {_format(s.points[-1][1], y_percent)}") for s in drawn
    ]
    summary = f"Lines of {clean_text(y_label)} by {clean_text(x_label)}, at their ends {_extremes(ends)}."
    return _svg("lines", title, summary, bottom + 60 + math.ceil(len(series) / 3) * 20, body)


def _check_grid(rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[Cell]]) -> None:
    if len(cells) != len(rows):
        raise ValueError(f"heat grid: {len(cells)} rows of cells for {len(rows)} row names")
    for name, row in zip(rows, cells, strict=True):
        if len(row) != len(columns):
            raise ValueError(f"heat grid: row {name!r} has {len(row)} cells for {len(columns)} columns")
        for column, cell in zip(columns, row, strict=True):
            if cell.value is not None and not math.isfinite(cell.value):
                raise ValueError(f"heat grid: cell {name!r} {column!r}: value {cell.value} is not finite")


def _shown(cell: Cell) -> str:
    return clean_text(cell.text) or ("no data" if cell.value is None else _format(cell.value, False, 2))


def _cell(cell: Cell, tip: str, box: tuple[float, float, float, float], shade: int) -> str:
    x, y, width, height = box
    empty = cell.value is None
    rect = _rect(x + 1, y + 1, width - 2, height - 2, "empty" if empty else "")
    text = _label(cell.text, max(1, int(width / 7.5)))
    text = _text_at(x + width / 2, y + height / 2 + 4, text, "muted" if empty else "", "middle")
    return (
        f'<g class="cell {"none" if empty else f"shade{shade}"}"><title>{_text(tip)}</title>{rect}{text}</g>'
    )


def _grid_key(left: float, y: float, hatched: bool) -> list[str]:
    """The legend of the shades, from lower to higher, and of the hatch if a cell has no data."""
    body = [_text_at(left, y + 13, "lower", "muted", "end"), _text_at(left + 142, y + 13, "higher", "muted")]
    body += [f'<g class="shade{k}">{_rect(left + 6 + k * 26, y, 24, 18)}</g>' for k in range(5)]
    if hatched:
        body += [_rect(left + 220, y, 24, 18, "empty"), _text_at(left + 250, y + 13, "no data", "muted")]
    return body


def heat_grid(
    rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[Cell]], *, title: str
) -> str:
    """A grid with ``rows`` down the side, ``columns`` across the top and ``cells[row][column]``
    shaded in 5 steps from the smallest value present to the largest (the largest in the
    strongest shade), each with its text and tooltip; a cell with no value is hatched."""
    _check_grid(rows, columns, cells)
    if not rows or not columns:
        return _empty(title)
    pairs = [(r, k, c) for r, row in zip(rows, cells, strict=True) for k, c in zip(columns, row, strict=True)]
    values = [c.value for _, _, c in pairs if c.value is not None]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    left, width, height = 124.0, (WIDTH - 16 - 124.0) / len(columns), 34.0
    body = [
        _text_at(left + (j + 0.5) * width, _TOP + 12, _label(c, max(1, int(width / 7.5))), anchor="middle")
        for j, c in enumerate(columns)
    ]
    body += [
        _text_at(left - 8, _TOP + 20 + (i + 0.5) * height + 4, _label(name, 16), anchor="end")
        for i, name in enumerate(rows)
    ]
    for n, (name, column, cell) in enumerate(pairs):
        # Equal values (or one) all take the strongest shade: the largest is always the darkest.
        shade = 4 if cell.value is None or high <= low else min(4, int((cell.value - low) / (high - low) * 5))
        box = (left + (n % len(columns)) * width, _TOP + 20 + (n // len(columns)) * height, width, height)
        body.append(
            _cell(cell, cell.tip or f"{clean_text(name)} {clean_text(column)}: {_shown(cell)}", box, shade)
        )
    key_y = _TOP + 20 + len(rows) * height + 14
    body += _grid_key(left, key_y, len(values) < len(pairs))
    filled = [
        (c.value, f"{clean_text(r)} {clean_text(k)} ({_shown(c)})")
        for r, k, c in pairs
        if c.value is not None
    ]
    summary = f"Cells by value, {_extremes(filled)}" if filled else "No cell has data yet"
    if filled and len(filled) < len(pairs):
        summary += f"; {len(pairs) - len(filled)} of {len(pairs)} without data"
    return _svg("grid", title, summary + ".", key_y + 30, body, _HATCH)


def share_text(count: int, first: int) -> str:
    """``count`` as a percent of ``first`` ("11.7 %"), or "–" when ``first`` is 0."""
    return _format(count / first, True) if first else "–"


def funnel(stages: Sequence[tuple[str, int]], *, title: str) -> str:
    """One centred bar per stage in the order given, as wide as its count (the widest is the
    largest), with its name, its count and its share of the first stage: "14 (11.7 %)"."""
    for name, count in stages:
        if count < 0:
            raise ValueError(f"stage {name!r}: count {count} is negative")
    if not stages:
        return _empty(title)
    first, widest, full = stages[0][1], max(count for _, count in stages), _PLOT_RIGHT - _PLOT_LEFT
    body = []
    for i, (name, count) in enumerate(stages):
        mid, width = _TOP + i * 36 + 18, full * count / widest if widest else 0.0
        shown = f"{count:,} ({share_text(count, first)})"
        body.append(f'<g class="row"><title>{_text(f"{clean_text(name)}: {shown}")}</title>')
        body.append(_text_at(_LABEL_RIGHT, mid + 4, _label(name, LABEL_CHARS), anchor="end"))
        body.append(_rect(_PLOT_LEFT + (full - width) / 2, mid - 12, width, 24, "stage"))
        body.append(_text_at(_PLOT_RIGHT + 8, mid + 4, html.escape(shown), "value") + "</g>")
    (start, _), (end, last) = stages[0], stages[-1]
    summary = f"{clean_text(start)}: {first:,}."
    if len(stages) > 1:
        summary = f"Of {first:,} at {clean_text(start)}, {last:,} ({share_text(last, first)}) got to {clean_text(end)}."
    return _svg("funnel", title, summary, _TOP + len(stages) * 36 + 12, body)
