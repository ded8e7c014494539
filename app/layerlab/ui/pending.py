"""Work the views wait for, done a slice at a time so that no tick of the page runs long.

``Pending`` drives a generator of work (``layerlab.chunks.probabilities_steps``, or the
session's evaluation): each ``run(deadline)`` does pieces until the work is done or the
next piece would end after ``deadline``, judged by the last one (and always at least one).
"""

import time

import numpy as np


class Pending:
    """A generator of work in progress; ``result`` is what it returned, once ``done``."""

    def __init__(self, steps) -> None:
        self._steps = steps
        self.done = False
        self.result = None
        self.seconds = 0.0  # time spent on it so far

    def run(self, deadline: float) -> bool:
        """Work until done or ``deadline`` (``time.perf_counter()``) is near; True when done.

        Overflow on the way to NaN is expected here (diverged weights still get drawn), so
        NumPy's warnings about it are silenced.
        """
        while not self.done:
            start = time.perf_counter()
            with np.errstate(over="ignore", invalid="ignore"):
                try:
                    next(self._steps)
                except StopIteration as end:
                    self.done, self.result = True, end.value
            now = time.perf_counter()
            self.seconds += now - start
            if now + (now - start) > deadline:
                break
        return self.done
