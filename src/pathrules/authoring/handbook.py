"""`pathrules handbook`: what each role needs, in plain language, generated from the policy itself.

Because the handbook is made from the same policy the engine runs, the written policy and the
decisions can never disagree. HTML output is one self-contained page, escaped throughout. The
handbook is the staff's copy: where the policy cites a source for a rule, it is shown (*Source:*).
"""

from __future__ import annotations

import html
from typing import Any

from pathrules.describe import describe_policy, role_sections, section_sources
from pathrules.policy.model import Policy

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.55; color: #1f2933; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #d9e2ec; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; } .meta { color: #52606d; font-size: .95rem; }
li { margin: .35rem 0; } .why { display: block; color: #52606d; font-size: .93rem; }
.never { background: #fff5f5; border-left: 4px solid #e12d39; padding: .5rem .9rem; }
.note { background: #f0f4f8; border-left: 4px solid #829ab1; padding: .5rem .9rem; }
"""


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]) if text else text


def markdown(policy: Policy) -> str:
    data = describe_policy(policy)
    out = [f"# {data['organisation']}: what each role needs", "", f"Policy `{data['policy']}`, version {data['version']}, in force from {data['effective_from']}."]
    if data["source"]:
        out.append(f"Drawn from: {data['source']}.")
    out.append("")
    for role in data["roles"]:
        out += [f"## {role['title']}", ""]
        if role["description"]:
            out += [role["description"].strip(), ""]
        if role["source"]:
            out += [f"*Source:* {role['source']}.", ""]
        sources = section_sources(role)
        for heading, intro, items in role_sections(role):
            out += [f"### {heading}", ""]
            if intro:
                out += [intro.strip(), ""]
            if heading in sources:
                out += [f"*Source:* {sources[heading]}.", ""]
            for item in items:
                out.append(
                    f"- {_sentence(item['asks'])}."
                    + (f" *Why:* {item['because'].strip()}" if item["because"] else "")
                    + (f" *Source:* {item['source']}." if item.get("source") else "")
                )
            out.append("")
        if role["never"]:
            out += ["### Never part of this role", "", ", ".join(role["never"]).capitalize() + ".", ""]
        for note, note_source in zip(role["notes"], role["note_sources"]):
            out.append(f"> {note}" + (f" *Source:* {note_source}." if note_source else ""))
        if role["notes"]:
            out.append("")
    if data["progressions"]:
        out += ["## Moving between roles", ""]
        for move in data["progressions"]:
            out += [f"### From {move['from_title']} to {move['to_title']}", ""]
            if move["because"]:
                out += [move["because"].strip(), ""]
            if move["source"]:
                out += [f"*Source:* {move['source']}.", ""]
            out += [f"- {_sentence(item['asks'])}." + (f" *Source:* {item['source']}." if item.get("source") else "") for item in move["requires"]]
            out += [f"- Everything {move['to_title']} needs before starting.", ""]
    return "\n".join(out).rstrip() + "\n"


def _list(items: list[dict[str, Any]]) -> str:
    rows = []
    for item in items:
        why = f'<span class="why">Why: {html.escape(item["because"].strip())}</span>' if item.get("because") else ""
        source = f'<span class="why">Source: {html.escape(item["source"])}</span>' if item.get("source") else ""
        rows.append(f"<li>{html.escape(_sentence(item['asks']))}.{why}{source}</li>")
    return "<ul>" + "".join(rows) + "</ul>"


def html_page(policy: Policy) -> str:
    data = describe_policy(policy)
    e = html.escape
    body = [f"<h1>{e(data['organisation'])}</h1>", f"<p class=\"meta\">What each role needs. Policy <code>{e(data['policy'])}</code>, version {e(data['version'])}, in force from {e(data['effective_from'])}."]
    if data["source"]:
        body.append(f" Drawn from: {e(data['source'])}.")
    body.append("</p>")
    for role in data["roles"]:
        body.append(f"<h2 id=\"{e(role['id'])}\">{e(role['title'])}</h2>")
        if role["description"]:
            body.append(f"<p>{e(role['description'].strip())}</p>")
        if role["source"]:
            body.append(f"<p class=\"meta\">Source: {e(role['source'])}</p>")
        sources = section_sources(role)
        for heading, intro, items in role_sections(role):
            body.append(f"<h3>{e(heading)}</h3>")
            if intro:
                body.append(f"<p>{e(intro.strip())}</p>")
            if heading in sources:
                body.append(f"<p class=\"meta\">Source: {e(sources[heading])}</p>")
            body.append(_list(items))
        if role["never"]:
            body.append(f"<p class=\"never\"><strong>Never part of this role:</strong> {e(', '.join(role['never']))}.</p>")
        for note, note_source in zip(role["notes"], role["note_sources"]):
            cite = f" <span class=\"why\">Source: {e(note_source)}</span>" if note_source else ""
            body.append(f"<p class=\"note\">{e(note)}{cite}</p>")
    if data["progressions"]:
        body.append("<h2>Moving between roles</h2>")
        for move in data["progressions"]:
            body.append(f"<h3>From {e(move['from_title'])} to {e(move['to_title'])}</h3>")
            if move["because"]:
                body.append(f"<p>{e(move['because'].strip())}</p>")
            if move["source"]:
                body.append(f"<p class=\"meta\">Source: {e(move['source'])}</p>")
            body.append(_list([*move["requires"], {"asks": f"everything {move['to_title']} needs before starting", "because": None}]))
    title = e(f"{data['organisation']}: what each role needs")
    return f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
