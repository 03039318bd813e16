"""A state's configuration files, kept up to date the way dpkg keeps its conffiles.

Every `labkit cloud up` renders each service's templates again, so that a newer labkit's
configuration (a new file, a changed option) reaches a cloud made by an older one. A file
an operator edited since labkit last wrote it is theirs: it stays, and labkit's version
goes beside it as ``NAME.labkit-new``. ``rendered.json`` in the state holds a digest of
what labkit last wrote to each file, which is how the two are told apart.
"""

import hashlib
import json

from ..private import write_private

RECORD = "rendered.json"


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _record(layout):
    try:
        return json.loads((layout.state / RECORD).read_text())
    except (OSError, ValueError):
        return {}


def write(layout, files, say=print):
    """Write {path under the state: text} into the state, sparing files an operator
    edited. Files are mode 0600: they hold service passwords. Returns the paths written
    with a text they did not have, new files included (a running service has yet to read
    them)."""
    record = _record(layout)
    changed = set()
    for dest, text in files.items():
        path = layout.state / dest
        current = path.read_text() if path.is_file() else None
        if current == text:
            record[dest] = digest(text)
            continue
        if current is not None and dest in record and digest(current) != record[dest]:
            write_private(path.with_name(f"{path.name}.labkit-new"), text)
            say(f"Kept {path} as you edited it; labkit's current version is "
                f"{path.name}.labkit-new beside it.")
            continue
        if current is not None and dest not in record:
            # written by a labkit that kept no record: keep that text too, in case it was edited
            write_private(path.with_name(f"{path.name}.labkit-old"), current)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, text)
        record[dest] = digest(text)
        changed.add(dest)
    write_private(layout.state / RECORD, json.dumps(record, indent=1, sort_keys=True))
    return changed
