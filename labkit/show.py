"""Readable output for notebooks (HTML) and terminals (text), from one call.

    show.table(rows, ["name", "status"])       # rows: dicts or objects with those attributes
    show.equivalent(sdk="conn.image.images()", cli="openstack image list")
    show.note("The pocket cloud's driver exports no real data.")
"""

import html

try:  # IPython is there in Jupyter; outside it, everything prints as text
    from IPython import get_ipython
    from IPython.display import HTML, display
except ImportError:  # pragma: no cover
    get_ipython = None


def in_notebook():
    shell = get_ipython() if get_ipython else None
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def _cell(row, column):
    value = row.get(column) if isinstance(row, dict) else getattr(row, column, None)
    return "" if value is None else str(value)


def table(rows, columns, title=None, headers=None):
    """Show rows as a table. headers: the labels shown (default: the column names)."""
    rows = list(rows)
    headers = headers or columns
    cells = [[_cell(row, c) for c in columns] for row in rows]
    if in_notebook():
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(v)}</td>"
                                        for v in line) + "</tr>" for line in cells)
        caption = f"<caption style='text-align:left'><b>{html.escape(title)}</b></caption>" \
            if title else ""
        display(HTML(f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                     f"</table>"))
        return
    widths = [max([len(h)] + [len(line[i]) for line in cells]) for i, h in enumerate(headers)]
    if title:
        print(title)
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for line in cells:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths)))
    if not cells:
        print("(none)")


def _equivalent_lines(sdk, cli):
    return ([("SDK", sdk)] if sdk else []) + ([("CLI", cli)] if cli else [])


def equivalent_html(sdk=None, cli=None):
    """The SDK call and CLI line as a small HTML block (what equivalent shows in Jupyter)."""
    body = "".join(f"<div><span style='color:#666'>{label}:</span> "
                   f"<code>{html.escape(text)}</code></div>"
                   for label, text in _equivalent_lines(sdk, cli))
    return f"<div style='font-size:90%;margin:4px 0'>{body}</div>"


def equivalent(sdk=None, cli=None):
    """Show the openstacksdk call and the `openstack` CLI line that do the same thing."""
    if in_notebook():
        display(HTML(equivalent_html(sdk, cli)))
    else:
        for label, text in _equivalent_lines(sdk, cli):
            print(f"  {label}: {text}")


NOTE_COLOURS = {"info": "#e8f0fe", "ok": "#e6f4ea", "warn": "#fef7e0", "skip": "#f1f3f4"}


def note_html(text, kind="info"):
    return (f"<div style='background:{NOTE_COLOURS.get(kind, NOTE_COLOURS['info'])};"
            f"padding:6px 10px;border-radius:4px;white-space:pre-wrap'>{html.escape(text)}</div>")


def note(text, kind="info"):
    """A short highlighted remark: kind is info, ok, warn or skip."""
    if in_notebook():
        display(HTML(note_html(text, kind)))
    else:
        print(f"[{kind}] {text}")
