"""Pick a file on the Jupyter server: a folder listing that fills a path box.

Folders end in "/"; choosing one opens it ("../" goes up); choosing a file puts
its path in the target Text box. Only the names are listed: nothing is read.
"""

from pathlib import Path

import ipywidgets as w

UP = "../"


class ServerFileChooser:
    def __init__(self, target, start=None):
        self.target = target  # the Text box that receives the chosen path
        self.folder = Path(start or Path.cwd()).resolve()
        self.where = w.HTML("")
        self.listing = w.Select(options=[], rows=8, layout=w.Layout(width="560px"))
        self.listing.add_class("labkit-file-chooser")
        self.listing.observe(self._chosen, "value")
        self.widget = w.VBox([self.where, self.listing])
        self.open(self.folder)

    def open(self, folder):
        self.folder = Path(folder).resolve()
        try:
            entries = sorted(self.folder.iterdir(), key=lambda p: (not p.is_dir(), p.name))
        except OSError as exc:
            self.where.value = f"<small>Cannot list {self.folder}: {exc.strerror}</small>"
            entries = []
        else:
            self.where.value = f"<small>Files on the Jupyter server in <code>{self.folder}</code>"\
                               "</small>"
        shown = [p for p in entries if not p.name.startswith(".")]
        options = [(UP, self.folder.parent)] if self.folder.parent != self.folder else []
        options += [(p.name + ("/" if p.is_dir() else ""), p) for p in shown]
        self.listing.unobserve(self._chosen, "value")
        self.listing.options = options
        self.listing.value = None
        self.listing.observe(self._chosen, "value")

    def _chosen(self, change):
        path = change["new"]
        if path is None:
            return
        if path.is_dir():
            self.open(path)
        else:
            self.target.value = str(path)
