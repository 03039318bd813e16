"""labkit.locks: a second holder waits (saying what for) until the first lets go."""

import threading

from labkit import locks


def test_a_second_holder_waits_for_the_first_and_says_why(tmp_path):
    guarded = tmp_path / "state"
    first_in, release = threading.Event(), threading.Event()
    events, said = [], []

    def first():
        with locks.held(guarded):
            events.append("first in")
            first_in.set()
            release.wait(5)
            events.append("first out")

    holder = threading.Thread(target=first)
    holder.start()
    first_in.wait(5)
    second = threading.Thread(target=lambda: _enter(guarded, said, events))
    second.start()
    second.join(0.3)
    assert second.is_alive() and events == ["first in"]  # still waiting
    release.set()
    for thread in (holder, second):
        thread.join(5)
    assert events == ["first in", "first out", "second in"]
    assert said == ["Waiting for another process: starting the cloud"]
    assert locks.lock_file(guarded) == tmp_path / ".state.lock" and not guarded.exists()


def _enter(guarded, said, events):
    with locks.held(guarded, said.append, "starting the cloud"):
        events.append("second in")


def test_an_uncontended_lock_says_nothing(tmp_path):
    said = []
    with locks.held(tmp_path / "images" / "tiny", said.append, "building"):
        pass
    assert said == [] and (tmp_path / "images" / ".tiny.lock").is_file()
