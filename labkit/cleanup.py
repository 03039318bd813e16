"""Remove what the lessons created (see marks.py), in a safe order, on any cloud.

Lesson modules register a finder per resource kind:

    @cleanup.finder("image", order=50)
    def _marked_images(conn, lesson):
        return [(image.name, lambda: conn.image.delete_image(image)) for image in ...]

A finder may add a third element, the resource's creation time (an ISO 8601 string or a
datetime), which ``older_than`` needs: resources of unknown age are then left alone.
Lower orders go first (e.g. access rules and snapshots before shares, objects before
containers). ``cleanup(conn, lesson="01")`` removes one lesson's resources;
``dry_run=True`` only lists them.
"""

import datetime
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from . import show

_FINDERS = []  # (order, kind, function, side_by_side, local)


@dataclass
class Removed:
    kind: str
    name: str
    done: bool
    error: str = ""
    skipped: bool = False


def finder(kind, order, side_by_side=False, local=False):
    """Register a finder. side_by_side: its deletes may run at once (see PARALLEL_DELETES).
    local: it finds files on this machine, not resources of the cloud (see cleanup's local)."""
    def register(function):
        _FINDERS.append((order, kind, function, side_by_side, local))
        _FINDERS.sort(key=lambda entry: entry[0])
        return function
    return register


#: The modules that register finders: one per kind of thing the lessons make.
FINDER_MODULES = ("servers", "images", "shares", "share_clients", "networks", "security",
                  "containers")


def _load_lesson_modules():
    import importlib

    for name in FINDER_MODULES:
        importlib.import_module(f"labkit.{name}")


def _age_seconds(created):
    if created is None:
        return None
    if isinstance(created, str):
        created = datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.timezone.utc)
    return (datetime.datetime.now(datetime.timezone.utc) - created).total_seconds()


#: How many deletes of a side_by_side kind run at once. Servers are: each delete waits until
#: its own server is gone (seconds), and they need not wait for each other. The other kinds
#: take well under a second each and go one by one; kinds go one after another either way.
PARALLEL_DELETES = 4


def _remove(kind, name, delete):
    try:
        delete()
        return Removed(kind, name, True)
    except Exception as exc:  # keep going: one stuck resource must not block the rest
        return Removed(kind, name, False, str(exc).splitlines()[0][:200])


def cleanup(conn, lesson=None, dry_run=False, quiet=False, older_than=None, local=True):
    """Delete (or with dry_run, list) the marked resources; returns what was found.

    older_than: seconds; only resources at least that old (and of known age) are touched.
    local=False leaves this machine's lesson files (keys, clouds.yaml entries) alone: a
    workshop's cleanup of its students' clouds is not a cleanup of the instructor's lesson."""
    _load_lesson_modules()
    report = []
    with ThreadPoolExecutor(PARALLEL_DELETES) as pool:
        for _, kind, find, side_by_side, is_local in list(_FINDERS):
            if is_local and not local:
                continue
            outcomes = []  # a Removed, or a Future of one: the report keeps the finder's order
            for entry in find(conn, lesson):
                name, delete = entry[0], entry[1]
                if older_than is not None:
                    age = _age_seconds(entry[2] if len(entry) > 2 else None)
                    if age is None or age < older_than:
                        outcomes.append(Removed(kind, name, False, "age unknown" if age is None
                                                else f"only {age:.0f} s old", skipped=True))
                        continue
                if dry_run:
                    outcomes.append(Removed(kind, name, False))
                    continue
                outcomes.append(pool.submit(_remove, kind, name, delete) if side_by_side
                                else _remove(kind, name, delete))
            report.extend(o.result() if isinstance(o, Future) else o for o in outcomes)
    if not quiet:
        if report:
            show.table(report, ["kind", "name", "done", "error"],
                       title="Would remove" if dry_run else "Cleanup")
        else:
            show.note("Nothing to clean up: no resources carry the lesson marks.", "ok")
    return report
