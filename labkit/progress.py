"""One progress bar for bytes on the move (uploads, downloads): tqdm.auto, which is a widget
in Jupyter and a text bar in a terminal."""

import time

from tqdm.auto import tqdm


class Progress:
    """A bar over `total` bytes. Feed it with advance(count) or call it as progress(done,
    total) (the callback form that labkit.images and the image form use)."""

    def __init__(self, total, label, visible=True):
        self.started = time.monotonic()
        self._bar = tqdm(total=total, desc=label, unit="B", unit_scale=True,
                         unit_divisor=1024, disable=not visible, leave=True)

    @property
    def done(self):
        return self._bar.n

    def advance(self, count):
        self._bar.update(count)

    def __call__(self, done, total):
        if total != self._bar.total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.finish()

    def finish(self):
        """Seconds since the bar began; the bar closes (in Jupyter it turns green)."""
        self._bar.close()
        return time.monotonic() - self.started
