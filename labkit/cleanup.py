"""Remove what the lessons created (see marks.py), in a safe order, on any cloud.

Lesson modules register a finder per resource kind:

    @cleanup.finder("image", order=50)
    def _marked_images(conn, lesson):
        return [(image.name, lambda: conn.image.delete_image(image)) for image in ...]

Lower orders go first (e.g. access rules and snapshots before shares, objects before
containers). ``cleanup(conn, lesson="01")`` removes one lesson's resources;
``dry_run=True`` only lists them.
"""

from dataclasses import dataclass

from . import show

_FINDERS = []  # (order, kind, function)


@dataclass
class Removed:
    kind: str
    name: str
    done: bool
    error: str = ""


def finder(kind, order):
    def register(function):
        _FINDERS.append((order, kind, function))
        _FINDERS.sort(key=lambda entry: entry[0])
        return function
    return register


def _load_lesson_modules():
    import importlib
    import pkgutil

    import labkit

    for module in pkgutil.iter_modules(labkit.__path__):
        if not module.name.startswith("_") and module.name not in ("cli", "cleanup"):
            importlib.import_module(f"labkit.{module.name}")


def cleanup(conn, lesson=None, dry_run=False, quiet=False):
    """Delete (or with dry_run, list) the marked resources; returns what was found."""
    _load_lesson_modules()
    report = []
    for _, kind, find in list(_FINDERS):
        for name, delete in find(conn, lesson):
            if dry_run:
                report.append(Removed(kind, name, False))
                continue
            try:
                delete()
                report.append(Removed(kind, name, True))
            except Exception as exc:  # keep going: one stuck resource must not block the rest
                report.append(Removed(kind, name, False, str(exc).splitlines()[0][:200]))
    if not quiet:
        if report:
            show.table(report, ["kind", "name", "done", "error"],
                       title="Would remove" if dry_run else "Cleanup")
        else:
            show.note("Nothing to clean up: no resources carry the lesson marks.", "ok")
    return report
