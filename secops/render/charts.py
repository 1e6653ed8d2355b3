"""Charts drawn with matplotlib: SVG for HTML/PDF (text as outlines), PNG for DOCX."""

from __future__ import annotations

import io
from typing import Any

from secops.render.fonts import require_chinese_font
from secops.render.model import Chart

_PALETTE = ["#1f5fa8", "#e07b24", "#2e9e5b", "#c23b3b", "#7d5ab5", "#8c6d46", "#d16aa7", "#6b6b6b"]


def _figure(chart: Chart) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    family = require_chinese_font()
    with plt.rc_context({"font.family": [family, "DejaVu Sans"], "svg.fonttype": "path", "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(7.0, 3.0), dpi=150)
        names = list(chart.series)
        if chart.kind == "pie":
            values = chart.series[names[0]] if names else []
            if sum(values) > 0:
                ax.pie(
                    values, labels=chart.labels, colors=_PALETTE, autopct="%1.0f%%", startangle=90, counterclock=False
                )
            ax.axis("equal")
        elif chart.kind == "line":
            for index, name in enumerate(names):
                ax.plot(chart.labels, chart.series[name], marker="o", color=_PALETTE[index % len(_PALETTE)], label=name)
        else:
            width = 0.8 / max(len(names), 1)
            positions = range(len(chart.labels))
            for index, name in enumerate(names):
                offsets = [p + (index - (len(names) - 1) / 2) * width for p in positions]
                draw = ax.barh if chart.kind == "barh" else ax.bar
                draw(offsets, chart.series[name], width, color=_PALETTE[index % len(_PALETTE)], label=name)
            if chart.kind == "barh":
                ax.set_yticks(list(positions), chart.labels)
                ax.invert_yaxis()
            else:
                ax.set_xticks(list(positions), chart.labels, rotation=20 if len(chart.labels) > 5 else 0)
        if chart.kind != "pie":
            if all(float(v).is_integer() for values in chart.series.values() for v in values):
                from matplotlib.ticker import MaxNLocator

                (ax.xaxis if chart.kind == "barh" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(chart.x_label)
            ax.set_ylabel(chart.y_label)
            ax.spines[["top", "right"]].set_visible(False)
            if len(names) > 1:
                ax.legend(frameon=False)
        ax.set_title(chart.title)
        fig.tight_layout()
        return fig


def _render(chart: Chart, fmt: str) -> bytes:
    from matplotlib import pyplot as plt

    fig = _figure(chart)
    buffer = io.BytesIO()
    try:
        # A fixed date and no hash salt keep SVG output stable between runs.
        metadata = {"Date": None} if fmt == "svg" else {}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    finally:
        plt.close(fig)
    return buffer.getvalue()


def chart_svg(chart: Chart) -> str:
    svg = _render(chart, "svg").decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML prolog and doctype for inline use


def chart_png(chart: Chart) -> bytes:
    return _render(chart, "png")
