"""An exception as one line a learner can read: the one place labkit turns errors into text.

openstacksdk's errors carry the service's own words in ``details`` and wrap them in a
preamble ("BadRequestException: 400: Client Error for url: ..."); Glance repeats the status
in its text. What is left is the status and what the service said.
"""

import re

SDK_PREAMBLE = re.compile(r"^\w+Exception: \d+: Client Error for url: \S+, ")
STATUS_REPEAT = re.compile(r"^\d{3} [A-Za-z ]+: ")


def service_words(exc, limit=300):
    """What the service said (an SDK error's details, else the exception's text), one line."""
    details = getattr(exc, "details", None)
    text = str(details if details and details != "None" else exc)
    text = STATUS_REPEAT.sub("", SDK_PREAMBLE.sub("", " ".join(text.split())))
    return (text or type(exc).__name__)[:limit]


def error_line(exc, limit=300):
    """An exception as one readable line: the HTTP status and the service's own words."""
    status = getattr(exc, "status_code", None)
    words = service_words(exc, limit)
    return f"{status} {words}"[:limit] if status else words
