"""A decision's timeline as SVG: when each requirement is met, lapses or falls due, and eligible-from.

Drawn on the server as plain SVG elements with presentation attributes (no script, no <style>) so it passes the
Content-Security-Policy, prints, and reads without JavaScript. Every mark has a text label as well
as a colour, and a <title> for screen readers.
"""

from __future__ import annotations

import datetime as _dt
from html import escape

from pathrules.decision import Decision, RequirementResult

WIDTH, LABEL, ROW, TOP = 820, 230, 28, 46
COLOURS = {"met": "#2f8f46", "owed": "#c77d00", "pending": "#1f7a99", "not_met": "#c23b3b", "review": "#7a4fb0", "blocked": "#7d1f1f"}
WORDS = {"met": "met", "owed": "owed", "pending": "waiting", "not_met": "to do", "review": "review", "blocked": "not possible"}


def _moved(day: _dt.date, days: int) -> _dt.date:
    """``day`` moved by ``days``, held within the calendar (a decision may be asked for as of 9999-12-31)."""
    try:
        return day + _dt.timedelta(days=days)
    except OverflowError:
        return _dt.date.max if days > 0 else _dt.date.min


def _span(decision: Decision) -> tuple[_dt.date, _dt.date]:
    days = [decision.as_of]
    for r in decision.requirements:
        days += [d for d in (r.met_on, r.valid_until, r.due) if d]
    days += [d for d in (decision.eligible_from, decision.eligible_until) if d]
    start, end = min(days), max(days)
    end = max(end, _moved(start, 60))
    pad = max(7, (end - start).days // 20)
    return _moved(start, -pad), _moved(end, pad)


def _ticks(start: _dt.date, end: _dt.date) -> list[_dt.date]:
    months = (end.year - start.year) * 12 + end.month - start.month
    step = max(1, months // 8)
    day, out = _dt.date(start.year, start.month, 1), []
    while day <= end:
        if day >= start:
            out.append(day)
        month = day.month - 1 + step
        if day.year + month // 12 > _dt.MAXYEAR:
            break
        day = _dt.date(day.year + month // 12, month % 12 + 1, 1)
    return out


class _Scale:
    def __init__(self, start: _dt.date, end: _dt.date) -> None:
        self.start, self.days = start, max(1, (end - start).days)

    def x(self, day: _dt.date) -> float:
        return round(LABEL + (WIDTH - LABEL - 20) * (day - self.start).days / self.days, 1)


def _row(result: RequirementResult, y: int, scale: _Scale, as_of: _dt.date, end: _dt.date) -> list[str]:
    colour = COLOURS[result.status]
    out = [f'<text x="8" y="{y + 17}" font-family="sans-serif" font-size="13" fill="#1f2933">{escape(result.id)}</text>']
    x0, x_end = scale.x(as_of), scale.x(end)
    if result.met_on and result.status != "met":
        xm = scale.x(result.met_on)
        out.append(f'<rect x="{x0}" y="{y + 9}" width="{max(1, xm - x0)}" height="8" fill="#cbd2d9"><title>{escape(result.id)}: waiting until {result.met_on}</title></rect>')
        out.append(f'<rect x="{xm}" y="{y + 6}" width="{max(1, x_end - xm)}" height="14" fill="{COLOURS["met"]}" opacity="0.75"/>')
        out.append(f'<text x="{xm + 4}" y="{y + 17}" font-family="sans-serif" font-size="11" fill="#3e4c59">met from {result.met_on}</text>')
    elif result.status == "met":
        stop = scale.x(result.valid_until) if result.valid_until else x_end
        out.append(f'<rect x="{x0}" y="{y + 6}" width="{max(1, stop - x0)}" height="14" fill="{colour}" opacity="0.75"><title>{escape(result.id)}: met</title></rect>')
        if result.valid_until:
            out.append(f'<line x1="{stop}" y1="{y + 2}" x2="{stop}" y2="{y + 24}" stroke="#c23b3b" stroke-width="3"/>')
            out.append(f'<text x="{stop + 5}" y="{y + 17}" font-family="sans-serif" font-size="11" fill="#3e4c59">lapses after {result.valid_until}</text>')
    elif result.due:
        xd = scale.x(result.due)
        out.append(f'<rect x="{x0}" y="{y + 9}" width="{max(1, xd - x0)}" height="8" fill="{colour}" opacity="0.5"/>')
        out.append(f'<path d="M{xd} {y + 4} l9 9 l-9 9 l-9 -9 z" fill="{colour}"><title>{escape(result.id)}: due {result.due}</title></path>')
        out.append(f'<text x="{xd + 12}" y="{y + 17}" font-family="sans-serif" font-size="11" fill="#3e4c59">due {result.due}</text>')
    else:
        out.append(f'<rect x="{x0}" y="{y + 9}" width="14" height="8" fill="{colour}"><title>{escape(result.id)}: {WORDS[result.status]}</title></rect>')
        out.append(f'<text x="{x0 + 20}" y="{y + 17}" font-family="sans-serif" font-size="11" fill="#3e4c59">{WORDS[result.status]}, no date yet</text>')
    return out


def timeline_svg(decision: Decision) -> str:
    start, end = _span(decision)
    scale = _Scale(start, end)
    height = TOP + ROW * len(decision.requirements) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="tl-title">',
        f'<title id="tl-title">Timeline of requirements for {escape(decision.target.title)} as of {decision.as_of}</title>',
    ]
    bottom = height - 22
    for tick in _ticks(start, end):
        x = scale.x(tick)
        parts.append(f'<line x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{bottom}" stroke="#e4e7eb"/>')
        parts.append(f'<text x="{x + 2}" y="{bottom + 14}" font-family="sans-serif" font-size="11" fill="#52606d">{tick.strftime("%b %Y")}</text>')
    for index, result in enumerate(decision.requirements):
        parts += _row(result, TOP + index * ROW, scale, decision.as_of, end)
    xa = scale.x(decision.as_of)
    parts.append(f'<line x1="{xa}" y1="18" x2="{xa}" y2="{bottom}" stroke="#1f2933" stroke-width="2"/>')
    parts.append(f'<text x="{xa + 3}" y="14" font-family="sans-serif" font-size="11" fill="#52606d">as of {decision.as_of}</text>')
    if decision.eligible_from and decision.eligible_from != decision.as_of:
        xe = scale.x(decision.eligible_from)
        parts.append(f'<line x1="{xe}" y1="30" x2="{xe}" y2="{bottom}" stroke="#2f8f46" stroke-width="2" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{xe + 3}" y="30" font-family="sans-serif" font-size="11" fill="#52606d">eligible from {decision.eligible_from}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
