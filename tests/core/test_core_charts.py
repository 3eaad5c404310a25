"""The SVG charts: what a reader sees (bars, whiskers, percents, shades, the funnel's shares),
that every chart is well-formed and accessible, that user text never becomes markup, and that
bad numbers are refused by name."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.charts import (
    Cell,
    RateBar,
    Series,
    clean_text,
    funnel,
    heat_grid,
    line_chart,
    nice_ticks,
    rate_bars,
    share_text,
    thin_points,
)

SVG = "http://www.w3.org/2000/svg"
ALLOWED = {
    "svg",
    "style",
    "title",
    "desc",
    "g",
    "rect",
    "line",
    "path",
    "polyline",
    "text",
    "tspan",
    "defs",
    "pattern",
}
SCRIPT = "<script>alert(1)</script> \"&'"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(f"{{{SVG}}}")


def of_class(root: ET.Element, name: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{SVG}}}{name}") if cls in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{{{SVG}}}text")]


def number(element: ET.Element, attribute: str) -> float:
    return float(element.get(attribute) or "nan")


def row_titles(root: ET.Element) -> list[str]:
    return [g.findtext(f"{{{SVG}}}title") or "" for g in of_class(root, "g", "row")]


def assert_accessible(svg: str, title: str) -> ET.Element:
    root = parse(svg)
    assert tag(root) == "svg"
    assert root.get("width") == "100%" and root.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+ [\d.]+", root.get("viewBox") or "")
    title_id, desc_id = (root.get("aria-labelledby") or "").split()
    heading, summary = root.find(f"{{{SVG}}}title"), root.find(f"{{{SVG}}}desc")
    assert heading is not None and summary is not None
    assert (heading.get("id"), summary.get("id")) == (title_id, desc_id)
    assert heading.text == clean_text(title)
    assert summary.text and summary.text.endswith(".")
    assert {tag(e) for e in root.iter()} <= ALLOWED
    assert not any(name.endswith("href") for e in root.iter() for name in e.attrib)
    return root


# The bars ------------------------------------------------------------------------------------


def test_one_bar_per_row_with_a_rate_and_not_enough_data_for_the_others() -> None:
    bars = [RateBar("A", 0.1, 0.05, 0.2), RateBar("B", None, note="1 of 3"), RateBar("C", 0.0)]
    root = assert_accessible(rate_bars(bars, title="Callbacks"), "Callbacks")
    assert len(of_class(root, "rect", "bar")) == 2
    missing = [e for e in of_class(root, "text", "muted") if (e.text or "").startswith("not enough data")]
    assert len(missing) == 1 and "".join(missing[0].itertext()).endswith("1 of 3")


def test_a_bar_is_as_long_as_its_rate_and_its_whisker_spans_the_interval() -> None:
    root = parse(rate_bars([RateBar("A", 0.1, 0.06, 0.15), RateBar("B", 0.2, 0.12, 0.3)], title="T"))
    short, long = of_class(root, "rect", "bar")
    assert number(long, "width") == pytest.approx(2 * number(short, "width"), abs=0.15)
    assert number(short, "x") == number(long, "x")
    per_unit = number(long, "width") / 0.2
    whiskers = of_class(root, "line", "whisker")
    assert [(number(w, "x1"), number(w, "x2")) for w in whiskers] == [
        pytest.approx((number(short, "x") + low * per_unit, number(short, "x") + high * per_unit), abs=0.15)
        for low, high in [(0.06, 0.15), (0.12, 0.3)]
    ]


def test_the_rate_and_its_note_are_written_after_the_bar() -> None:
    root = parse(rate_bars([RateBar("Voicemail A", 0.125, 0.08, 0.17, "8 of 64")], title="T"))
    (value,) = of_class(root, "text", "value")
    assert value.text == "12.5 %"
    assert value.findtext(f"{{{SVG}}}tspan") == "8 of 64"
    assert number(value, "x") > number(of_class(root, "line", "whisker")[0], "x2")
    assert row_titles(root) == ["Voicemail A: 12.5 % (95 % interval 8.0 % to 17.0 %), 8 of 64"]


def test_the_axis_ends_at_a_round_percent_above_every_interval() -> None:
    root = parse(rate_bars([RateBar("A", 0.125, 0.08, 0.173)], title="T"))
    assert [t for t in texts(root) if t.endswith(" %") and t != "12.5 %"] == [
        "0 %",
        "5 %",
        "10 %",
        "15 %",
        "20 %",
    ]
    assert len(of_class(root, "line", "grid")) == 4
    everything = parse(rate_bars([RateBar("A", 0.9, 0.8, 1.0)], title="T"))
    assert "100 %" in texts(everything) and "75 %" in texts(everything)


def test_bars_of_plain_numbers() -> None:
    root = parse(
        rate_bars([RateBar("Touches to reach", 3.5), RateBar("Other", 7.0)], title="T", percent=False)
    )
    assert [e.text for e in of_class(root, "text", "value")] == ["3.5", "7.0"]
    assert "8" in texts(root) and not any("%" in t for t in texts(root))


def test_long_labels_are_cut_and_whole_in_the_tooltip() -> None:
    label = "Voicemail after the second missed call, friendly"
    root = parse(rate_bars([RateBar(label, 0.2)], title="T"))
    shown = [t for t in texts(root) if t.startswith("Voicemail")]
    assert shown == [label[:27].rstrip() + "…"]
    assert row_titles(root)[0].startswith(label + ":")


def test_user_text_is_escaped_and_never_markup() -> None:
    svg = rate_bars([RateBar(SCRIPT, 0.2, note=SCRIPT)], title=SCRIPT)
    root = assert_accessible(svg, SCRIPT)
    assert "&lt;script&gt;" in svg and "<script" not in svg
    assert row_titles(root)[0].startswith(SCRIPT + ": 20.0 %")
    assert root.findtext(f"{{{SVG}}}title") == SCRIPT


def test_the_summary_names_the_best_and_the_worst() -> None:
    bars = [RateBar("Opener B", 0.03), RateBar("Voicemail A", 0.125), RateBar("New", None)]
    root = parse(rate_bars(bars, title="T"))
    assert root.findtext(f"{{{SVG}}}desc") == (
        "Rows by rate, highest: Voicemail A at 12.5 %; lowest: Opener B at 3.0 %; 1 without enough data yet."
    )


# The lines -----------------------------------------------------------------------------------


def test_lines_have_a_legend_distinct_looks_and_labelled_axes() -> None:
    series = [Series(f"Policy {i}", [(t, t * (i + 1)) for t in range(11)], dashed=i == 2) for i in range(9)]
    root = assert_accessible(
        line_chart(series, title="Regret", x_label="touches", y_label="responses"), "Regret"
    )
    lines = root.findall(f".//{{{SVG}}}polyline")
    assert len(lines) == 9 and len(of_class(root, "g", "key")) == 9
    looks = [(line.get("class") or "").split() for line in lines]
    assert [look[1] for look in looks] == ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c0"]
    assert [look[2] for look in looks[:4]] == ["solid", "dotted", "dashed", "dotted"]
    assert "touches" in texts(root) and "responses" in texts(root)
    assert {"0.0", "2.5", "10.0"} <= set(texts(root))
    assert "Policy 8 at 90.0" in (root.findtext(f"{{{SVG}}}desc") or "")


def test_percent_lines_label_their_axis_in_percents() -> None:
    series = [Series("A", [(0, 0.5), (1, 0.62)]), Series("B", [(0, 0.5), (1, 0.38)])]
    root = parse(line_chart(series, title="Shares", x_label="day", y_label="share", y_percent=True))
    assert {"0 %", "20 %", "80 %"} <= set(texts(root))
    assert root.findtext(f"{{{SVG}}}desc") == (
        "Lines of share by day, at their ends highest: A at 62.0 %; lowest: B at 38.0 %."
    )


def test_a_line_of_one_point_is_drawn_as_a_dot() -> None:
    root = parse(line_chart([Series("Only", [(3, 4)])], title="T", x_label="x", y_label="y"))
    (line,) = root.findall(f".//{{{SVG}}}polyline")
    first, second = (line.get("points") or "").split()
    assert first == second


def test_thinning_keeps_the_ends_and_evenly_spaced_points() -> None:
    points = [(float(i), float(i % 17)) for i in range(100_000)]
    kept = thin_points(points, 400)
    assert len(kept) == 400 and kept[0] == points[0] and kept[-1] == points[-1]
    assert kept == sorted(kept) and len(set(kept)) == 400
    gaps = {b[0] - a[0] for a, b in itertools.pairwise(kept)}
    assert max(gaps) - min(gaps) <= 1
    assert thin_points(points[:10], 400) == points[:10]


@pytest.mark.parametrize("how_many", [1, 8])
def test_a_huge_line_chart_stays_small(how_many: int) -> None:
    series = [
        Series(f"S{s}", [(float(i), float(i * (s + 1))) for i in range(100_000)]) for s in range(how_many)
    ]
    svg = line_chart(series, title="Big", x_label="x", y_label="y")
    assert len(svg.encode()) < 60_000
    root = parse(svg)
    for line in root.findall(f".//{{{SVG}}}polyline"):
        coordinates = (line.get("points") or "").split()
        assert len(coordinates) <= 400
        # The first point is at the corner of the axes; the last is at x = 100,000 - 1 (< the last tick).
        assert coordinates[0] == "76,284"
        assert float(coordinates[-1].split(",")[0]) == pytest.approx(76 + 508 * 99_999 / 100_000, abs=0.1)


# The grid ------------------------------------------------------------------------------------

DAYS = ["Monday", "Tuesday"]
PARTS = ["morning", "afternoon", "evening"]


def test_the_grid_shades_from_the_smallest_to_the_largest_value() -> None:
    cells = [
        [Cell(0.05, "5 %"), Cell(0.12, "12 %"), Cell(None)],
        [Cell(0.2, "20 %"), Cell(0.25, "25 %"), Cell(0.31, "31 %", "Tuesday evening: 31 % (12 of 39)")],
    ]
    root = assert_accessible(heat_grid(DAYS, PARTS, cells, title="Connect rate"), "Connect rate")
    groups = of_class(root, "g", "cell")
    assert len(groups) == 6
    looks = [(g.get("class") or "").split()[1] for g in groups]
    assert looks == ["shade0", "shade1", "none", "shade2", "shade3", "shade4"]
    tips = [g.findtext(f"{{{SVG}}}title") for g in groups]
    assert tips[5] == "Tuesday evening: 31 % (12 of 39)" and tips[2] == "Monday evening: no data"
    assert "31 %" in texts(root)
    empty = of_class(root, "rect", "empty")
    assert len(empty) == 2 and (empty[0].get("fill") or "").startswith("url(#rb-")
    (pattern,) = root.iter(f"{{{SVG}}}pattern")
    assert empty[0].get("fill") == f"url(#{pattern.get('id')})"
    assert root.findtext(f"{{{SVG}}}desc") == (
        "Cells by value, highest: Tuesday evening (31 %); lowest: Monday morning (5 %); 1 of 6 without data."
    )


def test_a_grid_of_one_value_shows_it_in_the_strongest_shade() -> None:
    root = parse(heat_grid(["Mon"], ["am"], [[Cell(0.4)]], title="T"))
    assert [g.get("class") for g in of_class(root, "g", "cell")] == ["cell shade4"]
    assert of_class(root, "g", "cell")[0].findtext(f"{{{SVG}}}title") == "Mon am: 0.40"


# The funnel ----------------------------------------------------------------------------------


def test_the_funnel_shows_counts_and_shares_of_the_first_stage() -> None:
    stages = [("enrolled", 120), ("reached", 64), ("appointment", 22), ("customer", 14)]
    root = assert_accessible(funnel(stages, title="Funnel"), "Funnel")
    assert [e.text for e in of_class(root, "text", "value")] == [
        "120 (100.0 %)",
        "64 (53.3 %)",
        "22 (18.3 %)",
        "14 (11.7 %)",
    ]
    widths = [number(r, "width") for r in of_class(root, "rect", "stage")]
    assert widths[1] / widths[0] == pytest.approx(64 / 120, abs=0.001)
    assert root.findtext(f"{{{SVG}}}desc") == "Of 120 at enrolled, 14 (11.7 %) got to customer."
    assert share_text(3, 0) == "–"


def test_a_funnel_of_nobody_draws_empty_stages() -> None:
    root = parse(funnel([("enrolled", 0), ("reached", 0)], title="T"))
    assert [e.text for e in of_class(root, "text", "value")] == ["0 (–)", "0 (–)"]


# Every chart ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        rate_bars([], title="Nothing here"),
        line_chart([], title="Nothing here", x_label="x", y_label="y"),
        line_chart([Series("A", [])], title="Nothing here", x_label="x", y_label="y"),
        heat_grid([], [], [], title="Nothing here"),
        funnel([], title="Nothing here"),
    ],
)
def test_empty_input_says_there_is_nothing_to_show_yet(svg: str) -> None:
    root = assert_accessible(svg, "Nothing here")
    assert "Nothing to show yet" in texts(root)
    assert root.findtext(f"{{{SVG}}}desc") == "Nothing to show yet."


def test_charts_are_the_same_for_the_same_input_and_have_their_own_ids() -> None:
    def chart(rate: float) -> str:
        return rate_bars([RateBar("A", rate)], title="T")

    assert chart(0.1) == chart(0.1)
    assert parse(chart(0.1)).get("aria-labelledby") != parse(chart(0.2)).get("aria-labelledby")


def test_colours_come_from_classes_with_a_dark_variant() -> None:
    svg = funnel([("a", 1)], title="T")
    style = parse(svg).findtext(f"{{{SVG}}}style") or ""
    assert "@media (prefers-color-scheme: dark)" in style
    assert "font-family:system-ui,sans-serif" in style
    assert "url(" not in style and "@import" not in style
    assert " fill=" not in svg.split("</style>", 1)[1].replace('fill="url(#', "")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: rate_bars([RateBar("Voicemail A", 1.4)], title="T"),
            "bar 'Voicemail A': rate 1.4 is not between 0 and 1",
        ),
        (lambda: rate_bars([RateBar("A", -0.1)], title="T"), "bar 'A': rate -0.1 is not between 0 and 1"),
        (lambda: rate_bars([RateBar("A", math.nan)], title="T"), "bar 'A': rate nan is not a finite number"),
        (
            lambda: rate_bars([RateBar("A", 0.1, 0.0, math.inf)], title="T"),
            "bar 'A': high inf is not a finite number",
        ),
        (lambda: rate_bars([RateBar("A", 0.1, 0.2, 0.1)], title="T"), "bar 'A': low 0.2 is above high 0.1"),
        (
            lambda: rate_bars([RateBar("A", 0.1, 0.05)], title="T"),
            "bar 'A': give both low and high, or neither",
        ),
        (lambda: rate_bars([RateBar("A", -2.0)], title="T", percent=False), "bar 'A': rate -2.0 is negative"),
        (
            lambda: line_chart([Series("A", [(0, 1), (1, math.nan)])], title="T", x_label="x", y_label="y"),
            "series 'A': point 1 (1, nan) is not finite",
        ),
        (
            lambda: line_chart(
                [Series("A", [(0, 1.5)])], title="T", x_label="x", y_label="y", y_percent=True
            ),
            "series 'A': point 0 has y 1.5, not between 0 and 1",
        ),
        (
            lambda: heat_grid(DAYS, PARTS, [[Cell(1)] * 3], title="T"),
            "heat grid: 1 rows of cells for 2 row names",
        ),
        (
            lambda: heat_grid(DAYS, PARTS, [[Cell(1)] * 3, [Cell(1)] * 2], title="T"),
            "heat grid: row 'Tuesday' has 2 cells for 3 columns",
        ),
        (
            lambda: heat_grid(["Mon"], ["am"], [[Cell(math.inf)]], title="T"),
            "heat grid: cell 'Mon' 'am': value inf is not finite",
        ),
        (
            lambda: funnel([("enrolled", 3), ("reached", -1)], title="T"),
            "stage 'reached': count -1 is negative",
        ),
        (lambda: nice_ticks(0, math.nan), "axis from 0 to nan is not finite"),
        (lambda: nice_ticks(2, 1), "axis low 2 is above its high 1"),
        (lambda: nice_ticks(0, 1, 1), "an axis needs at least 2 ticks, not 1"),
        (lambda: thin_points([(0, 0)] * 5, 1), "a line keeps at least 2 points, not 1"),
    ],
)
def test_bad_numbers_are_refused_by_name(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        call()


# Nice ticks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 1, [0, 0.25, 0.5, 0.75, 1]),
        (0, 0.62, [0, 0.2, 0.4, 0.6, 0.8]),
        (3, 97, [0, 25, 50, 75, 100]),
        (0, 50, [0, 20, 40, 60]),
        (-7, 13, [-10, -5, 0, 5, 10, 15]),
        (0.3, 0.3, [0.26, 0.28, 0.3, 0.32, 0.34]),
        (0, 0, [-1, -0.5, 0, 0.5, 1]),
    ],
)
def test_nice_ticks_examples(low: float, high: float, ticks: list[float]) -> None:
    assert nice_ticks(low, high) == pytest.approx(ticks)


def is_nice(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_subnormal=False)


@given(finite, finite, st.integers(min_value=2, max_value=12))
def test_nice_ticks_are_increasing_round_numbers_covering_the_range(a: float, b: float, count: int) -> None:
    low, high = min(a, b), max(a, b)
    ticks = nice_ticks(low, high, count)
    assert ticks[0] <= low and ticks[-1] >= high
    assert 2 <= len(ticks) <= count + 3
    steps = [y - x for x, y in itertools.pairwise(ticks)]
    assert all(step > 0 for step in steps)
    assert all(math.isclose(step, steps[0], rel_tol=1e-6, abs_tol=1e-9 * abs(ticks[-1])) for step in steps)
    assert is_nice(steps[0])


# Any text, any valid numbers -----------------------------------------------------------------

rates = st.floats(min_value=0, max_value=1)


@st.composite
def rate_bar(draw: st.DrawFn) -> RateBar:
    low, high = sorted((draw(rates), draw(rates)))
    rate = draw(st.none() | rates)
    interval = draw(st.booleans())
    return RateBar(
        draw(st.text(max_size=40)),
        rate,
        low if interval else None,
        high if interval else None,
        draw(st.text(max_size=12)),
    )


def assert_safe(svg: str) -> ET.Element:
    root = parse(svg)
    assert {tag(e) for e in root.iter()} <= ALLOWED
    return root


@settings(max_examples=150)
@given(st.lists(rate_bar(), max_size=6), st.text(max_size=30))
def test_any_bars_make_a_safe_chart(bars: list[RateBar], title: str) -> None:
    root = assert_safe(rate_bars(bars, title=title))
    if bars:
        assert len(of_class(root, "rect", "bar")) == sum(bar.rate is not None for bar in bars)
        for bar, tip in zip(bars, row_titles(root), strict=True):
            assert tip.startswith(clean_text(bar.label) + ":")


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.text(max_size=20), st.lists(st.tuples(st.floats(-1e6, 1e6), rates), max_size=30)),
        max_size=9,
    ),
    st.text(max_size=20),
)
def test_any_lines_make_a_safe_chart(series: list[tuple[str, list[tuple[float, float]]]], label: str) -> None:
    chart = line_chart(
        [Series(n, p) for n, p in series], title=label, x_label=label, y_label=label, y_percent=True
    )
    root = assert_safe(chart)
    if any(points for _, points in series):
        assert len(root.findall(f".//{{{SVG}}}polyline")) == sum(bool(points) for _, points in series)


@settings(max_examples=60)
@given(
    st.lists(st.text(max_size=15), min_size=1, max_size=4),
    st.lists(st.text(max_size=15), min_size=1, max_size=4),
    st.data(),
)
def test_any_grid_makes_a_safe_chart(rows: list[str], columns: list[str], data: st.DataObject) -> None:
    cell = st.builds(Cell, st.none() | st.floats(-1e6, 1e6), st.text(max_size=8), st.text(max_size=20))
    cells = [[data.draw(cell) for _ in columns] for _ in rows]
    root = assert_safe(heat_grid(rows, columns, cells, title="Grid"))
    shades = [(g.get("class") or "").split()[1] for g in of_class(root, "g", "cell")]
    values = [c.value for row in cells for c in row]
    if any(v is not None for v in values):
        top = max(v for v in values if v is not None)
        assert shades[values.index(top)] == "shade4"


@given(st.lists(st.tuples(st.text(max_size=30), st.integers(min_value=0, max_value=10**6)), max_size=6))
def test_any_funnel_makes_a_safe_chart(stages: list[tuple[str, int]]) -> None:
    assert_safe(funnel(stages, title="Funnel"))


@given(st.text())
def test_clean_text_keeps_only_what_xml_can_hold(text: str) -> None:
    cleaned = clean_text(text)
    parse(f"<t>{cleaned.replace('&', '&amp;').replace('<', '&lt;')}</t>")
    assert cleaned == cleaned.strip() and "  " not in cleaned and "\n" not in cleaned
    assert clean_text("a\x00b\x1fc\x7f\x85\ufffe\ud800 \n\t d") == "abc d"


def test_the_served_stylesheet_is_the_charts_own() -> None:
    """Pages link ``ringback/charts.css`` instead of the inline style a strict CSP blocks."""
    from pathlib import Path

    from ringback.core.charts import CHART_CSS, unstyled

    served = Path(__file__).resolve().parents[2] / "src/ringback/static/ringback/charts.css"
    assert CHART_CSS in served.read_text()
    chart = rate_bars([RateBar("A", 0.2, 0.1, 0.3)], title="T")
    assert "<style>" in chart and "<style" not in unstyled(chart)
    ET.fromstring(unstyled(chart))
