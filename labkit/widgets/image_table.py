"""A live table of images: name, status, visibility, protected, disk format, size.

    table = ImageTable(conn)     # a cell ending with the table draws it
    table.refresh()              # also the Refresh button; returns the rows shown

While an image is in transition (queued, saving, uploading, importing, pending_delete)
the table refreshes itself every ``interval`` seconds, for at most ``auto_limit`` seconds
(an image left queued without data would otherwise keep it polling forever).
"""

import html
import threading
import time

import ipywidgets as w

from .. import marks

#: Horizon's transitional statuses, plus the two of an interoperable import.
IN_TRANSITION = ("queued", "saving", "uploading", "importing", "pending_delete")
COLUMNS = [("name", "Name"), ("status", "Status"), ("visibility", "Visibility"),
           ("protected", "Protected"), ("disk_format", "Disk Format"), ("size", "Size")]


def human_size(size):
    """Bytes as Horizon shows them (binary units): 12.5 MB, 1.0 GB; '' when unknown."""
    if size is None:
        return ""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def row(image):
    """One table row, with the raw API field names (protected, not is_protected)."""
    return {"id": image.id, "name": image.name or "", "status": image.status,
            "visibility": image.visibility, "protected": bool(image.is_protected),
            "disk_format": image.disk_format or "", "size": image.size}


class ImageTable:
    """The images visible to you (only_marked=True: only the lessons' day3- images)."""

    def __init__(self, conn, *, only_marked=False, interval=2.0, auto_limit=300):
        self.conn, self.only_marked = conn, only_marked
        self.interval, self.auto_limit = interval, auto_limit
        self.rows = []
        self._stop = threading.Event()
        self._thread = None
        self.table_html = w.HTML("")
        self.table_html.add_class("labkit-image-table")
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.refresh_button.add_class("labkit-image-table-refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.status_line = w.Label("")
        self.widget = w.VBox([w.HBox([self.refresh_button, self.status_line]),
                              self.table_html])
        self.refresh()

    @property
    def auto_refreshing(self):
        return self._thread is not None and self._thread.is_alive()

    def in_transition(self):
        return [r["name"] for r in self.rows if r["status"] in IN_TRANSITION]

    def refresh(self):
        """Read the images again and redraw; start auto-refresh if one is in transition."""
        try:
            found = list(self.conn.image.images())
        except Exception as exc:  # the table says so; the next refresh may work
            self.status_line.value = f"Could not list images: {str(exc).splitlines()[0][:200]}"
            return self.rows
        if self.only_marked:
            found = [i for i in found if marks.has_prefix(i.name)]
        self.rows = [row(i) for i in sorted(found, key=lambda i: i.name or "")]
        self.table_html.value = self._html()
        moving = self.in_transition()
        if moving and not self.auto_refreshing:
            self._start()
        self._say(moving)
        return self.rows

    def stop(self):
        """Stop auto-refreshing (the Refresh button still works)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)

    def _say(self, moving, stopped=False):
        if stopped:
            self.status_line.value = (f"Auto-refresh stopped after {self.auto_limit:.0f} s; "
                                      f"still in transition: {', '.join(moving)}. Press "
                                      f"Refresh.")
        elif moving:
            self.status_line.value = (f"Auto-refresh every {self.interval:g} s while "
                                      f"{', '.join(moving)} "
                                      f"{'is' if len(moving) == 1 else 'are'} in transition.")
        else:
            self.status_line.value = f"{len(self.rows)} images."

    def _start(self):
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, daemon=True,
                                        name="labkit-image-table")
        self._thread.start()

    def _poll(self):
        deadline = time.monotonic() + self.auto_limit
        while not self._stop.wait(self.interval):
            if time.monotonic() >= deadline:
                self._say(self.in_transition(), stopped=True)
                return
            self.refresh()
            if not self.in_transition():
                return

    def _html(self):
        head = "".join(f"<th style='text-align:left;padding:2px 10px 2px 0'>{label}</th>"
                       for _, label in COLUMNS)
        body = []
        for r in self.rows:
            cells = {**r, "protected": "Yes" if r["protected"] else "No",
                     "size": human_size(r["size"])}
            body.append("<tr>" + "".join(
                f"<td style='padding:2px 10px 2px 0'>{html.escape(str(cells[key]))}</td>"
                for key, _ in COLUMNS) + "</tr>")
        if not body:
            body = [f"<tr><td colspan='{len(COLUMNS)}'>No images.</td></tr>"]
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
