"""How lessons mark what they create, so that cleanup removes exactly that and nothing else.

Every resource a lesson (or a learner following it) creates gets:
- a name starting with ``day3-``;
- where the resource kind has properties or metadata, the mark ``labkit_lesson=<lesson>``
  (a Glance property, Swift or Manila metadata), and where it has tags, the tag ``labkit``.
Cleanup only touches resources that carry every mark their kind supports.
"""

PREFIX = "day3-"
KEY = "labkit_lesson"
TAG = "labkit"  # for kinds that have tags (Glance images), besides the KEY property


def name(base):
    """The marked name for base: 'cirros' -> 'day3-cirros' (already marked names unchanged)."""
    return base if base.startswith(PREFIX) else PREFIX + base


def has_prefix(resource_name):
    return bool(resource_name) and resource_name.startswith(PREFIX)


def properties(lesson):
    """The mark as a dict of properties/metadata, e.g. {'labkit_lesson': '01'}."""
    return {KEY: str(lesson)}


def is_marked(resource_name, metadata=None, lesson=None):
    """True when the name has the prefix and (if given) the metadata carries the mark."""
    if not has_prefix(resource_name):
        return False
    if metadata is None:
        return True
    value = {k.lower(): v for k, v in metadata.items()}.get(KEY)
    return value is not None and (lesson is None or value == str(lesson))
