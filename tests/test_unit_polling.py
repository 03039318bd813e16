"""labkit.polling: the pauses of a polling loop grow from short to at most one second."""

from labkit import polling


def test_pauses_start_short_grow_and_stop_growing_at_the_longest(monkeypatch):
    slept = []
    monkeypatch.setattr(polling.time, "sleep", slept.append)
    backoff = polling.Backoff(first=0.1, longest=1.0, growth=2)
    for _ in range(6):
        backoff.sleep()
    assert slept == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
