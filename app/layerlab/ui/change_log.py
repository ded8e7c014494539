"""A run's recorded changes: ``(iteration, name, value)``, kept sorted.

The names are the live settings (the learning rate, λ, λ₁) and weights set by hand
(``W2[0, 1]``, ``layerlab.edits.weight_name``). A change made at iteration i drops the
recorded changes of the same name from i on: the run took another turn there.
"""

from layerlab.edits import Change


class ChangeLog:
    """The recorded ``changes`` of one run, and those due at an iteration."""

    def __init__(self, changes: list[Change] = ()) -> None:
        self.changes: list[Change] = sorted(changes)

    def forget_from(self, name: str, iteration: int) -> None:
        """Drop the changes of ``name`` recorded for ``iteration`` or later."""
        self.changes = [c for c in self.changes if c[1] != name or c[0] < iteration]

    def record(self, iteration: int, name: str, value: float) -> None:
        """``name`` becomes ``value`` just before ``iteration`` (and no later change of it
        applies)."""
        self.forget_from(name, iteration)
        self.changes = sorted([*self.changes, (iteration, name, value)])

    def due(self, iteration: int) -> list[Change]:
        """The changes to apply just before ``iteration``."""
        return [c for c in self.changes if c[0] == iteration]
