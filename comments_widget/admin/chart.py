"""A bar chart of comments per day, drawn as inline SVG on the server (no script, no CSS)."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 600, 160, 24


def comments_per_day_svg(per_day: list[tuple[date, int]]) -> Markup:
    """An accessible SVG: a title, one labelled bar per day, first and last dates marked."""
    peak = max((n for _, n in per_day), default=0) or 1
    slot = (WIDTH - 2 * PAD) / max(len(per_day), 1)
    bars = []
    for index, (day, count) in enumerate(per_day):
        height = (HEIGHT - 2 * PAD) * count / peak
        x = PAD + index * slot
        label = escape(f"{day:%d %b}: {count} comment{'s' if count != 1 else ''}")
        bars.append(f'<rect x="{x:.1f}" y="{HEIGHT - PAD - height:.1f}" width="{slot * 0.8:.1f}" '
                    f'height="{height:.1f}" class="bar"><title>{label}</title></rect>')
    first = escape(f"{per_day[0][0]:%d %b}") if per_day else ""
    last = escape(f"{per_day[-1][0]:%d %b}") if per_day else ""
    total = sum(n for _, n in per_day)
    return Markup(
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
        f'aria-label="Comments per day, last {len(per_day)} days: {total} in all">'
        f"<title>Comments per day, last {len(per_day)} days</title>"
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        f'class="axis"/>{"".join(bars)}'
        f'<text x="{PAD}" y="{HEIGHT - 6}" class="label">{first}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" class="label" text-anchor="end">{last}</text>'
        f'<text x="{PAD}" y="{PAD - 8}" class="label">peak {peak}</text></svg>'
    )
