"""How fast a run trains on this device: measured while it plays, said in words for people."""

from collections import deque

WINDOW_S = 4.0  # the speed is that of the last few seconds of training
GAP_S = 1.0  # a longer wait between two slices (a pause) starts a new measurement
MIN_SPAN_S = 0.5  # no speed before this much training time was seen
SLOW_S = 1.0  # an iteration this long or longer is said in seconds per iteration


class SpeedMeter:
    """Iterations per second, from ``(time, position)`` samples taken after each slice.

    ``position`` counts iterations done, the share of the one in progress included, so a run
    whose iterations take many seconds is measured within one.
    """

    def __init__(self) -> None:
        self._samples: deque[tuple[float, float]] = deque()
        self.rate: float | None = None  # iterations per second; None until measured

    def record(self, now: float, position: float) -> None:
        """One sample: ``now`` in seconds (``time.perf_counter()``), ``position`` iterations."""
        samples = self._samples
        if samples and now - samples[-1][0] > GAP_S:
            samples.clear()
        samples.append((now, position))
        while len(samples) > 2 and now - samples[1][0] >= WINDOW_S:
            samples.popleft()
        start, first = samples[0]
        if now - start >= MIN_SPAN_S and position > first:
            self.rate = (position - first) / (now - start)


def _seconds(seconds: float) -> str:
    """``6.3 s``, ``42 s``, ``3 min 20 s``, ``2 h 5 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds) // 60
    if minutes < 60:
        return f"{minutes} min {round(seconds) % 60} s"
    return f"{minutes // 60} h {minutes % 60} min"


def speed_words(rate: float | None, progress: float = 0.0) -> str:
    """The measured speed for the page: ``≈ 6.3 s per iteration on this device`` when an
    iteration takes ``SLOW_S`` or more (then also how far the one in progress is, from
    ``progress`` in [0, 1)), else ``≈ 120 iterations/s``; "" before any measurement."""
    if not rate:
        return ""
    if 1 / rate >= SLOW_S:
        words = f"≈ {_seconds(1 / rate)} per iteration on this device"
        return words + (f" · the next is {progress:.0%} done" if progress else "")
    per_second = f"{rate:.1f}" if rate < 10 else f"{rate:,.0f}"
    return f"≈ {per_second} iterations/s on this device"
