"""Asking a cloud again until something is done: soon at first, then less often.

Most steps of a pocket cloud end within a second (a share's status, an access rule, a
server going ACTIVE a few seconds after create); a fixed pause of 0.5 or 1 s made every
such step wait up to that long for nothing. A real cloud's slower steps are still asked about
only about once a second, as the SDK's own waiters do.
"""

import time


class Backoff:
    """The pause of a polling loop: `backoff.sleep()` where the loop slept a fixed time.
    0.1 s first, then growth times longer each time, up to longest."""

    def __init__(self, first=0.1, longest=1.0, growth=1.4):
        self.pause = first
        self.longest = longest
        self.growth = growth

    def sleep(self):
        time.sleep(self.pause)
        self.pause = min(self.longest, self.pause * self.growth)
