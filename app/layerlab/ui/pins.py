"""Compare runs: pinned runs (their recipe and cost curves), what differs between two runs,
and the replay that recomputes a pinned run's curves from its recipe.

A ``PinRecipe`` is what made a run: its settings as it started (``LabState.settings()``,
without the budget and the speed, which only pace it), the changes made while it trained
and the iterations it reached. Data and weights are seeded, so a recipe of generated data
and fresh weights is the run: ``Replay`` trains it again, a slice at a time, and gets the
same costs to the last digit (that is how a link's ``pin=`` comes back). A run on the user's
own data or on weights from a file keeps its curves on the page, but has no recipe a link
can carry (``linkable``).

``PinBoard`` holds at most ``MAX_PINS`` pins for one page. It has no Panel import: the page
(``pin_view``) shows it and the plots draw its curves (``pin_lines``).
"""

from dataclasses import dataclass, field

import param

from layerlab import DivergenceError
from layerlab.setting import number_text
from layerlab.settings import LINK_SETTINGS, SETTINGS, with_effect
from layerlab.ui.custom import DATA_FILE_NAME
from layerlab.ui.session import Change
from layerlab.ui.state import LabState

MAX_PINS = 5
REPLAY_SLICE_S = 0.02  # training time per tick for the replays under way
PACING = with_effect("pacing")  # the budget and the speed: they do not change the numbers
PIN_SETTINGS = tuple(name for name in LINK_SETTINGS if name not in PACING)  # a recipe's keys
CURVES = ("iteration", "train_cost", "test_cost")


@dataclass(frozen=True)
class PinRecipe:
    """What made a run: settings, changes during it, the iterations it reached."""

    settings: dict  # setting name (``PIN_SETTINGS``) -> value, as the run started
    iterations: int  # iterations reached (the curves have one point per iteration)
    changes: tuple[Change, ...] = ()  # (iteration, name, value) made while it trained
    data: str = ""  # "" for generated data; else the user's own data, in words
    weights: str = ""  # "" for fresh weights from the seed; else the file they came from

    @property
    def linkable(self) -> bool:
        """Whether a link can carry it (generated data, fresh weights)."""
        return not self.data and not self.weights


def defaults() -> dict[str, object]:
    """The recipe settings of a link that names none."""
    return {name: SETTINGS[name].default for name in PIN_SETTINGS}


def recipe_of(state: LabState, ahead: bool = False) -> PinRecipe:
    """The recipe of ``state``'s current run, as far as it has trained (``ahead``: with the
    changes due later too, what the run will do)."""
    session = state.session
    reached = session.iteration
    data = ""
    if session.custom is not None:
        custom = session.custom
        data = "your points" if custom.csv.file_name == DATA_FILE_NAME else custom.name
    return PinRecipe(
        settings={k: v for k, v in state.settings().items() if k in PIN_SETTINGS},
        iterations=reached,
        changes=tuple(change for change in session.changes if ahead or change[0] < reached),
        data=data,
        weights=session.params_file or "",
    )


# -- what differs ------------------------------------------------------------------------------
def value_text(name: str, value: object) -> str:
    """A setting's value as the legend writes it: ``0.7``, ``8,8``, ``x1+x2``, ``Adam``."""
    setting = SETTINGS[name]
    if setting.kind == "layers":
        return setting.format(value)
    if setting.kind == "set":
        return "+".join(setting.choices[key] for key in value)
    if setting.kind == "choice":  # "Adam", without its "(β₁ = 0.9, ...)"
        return setting.choices[value].split(" (")[0]
    if isinstance(value, float) and not (value == 0 and setting.zero_label):
        text = number_text(value)
        return f"{text} {setting.unit}" if setting.unit else text
    return setting.option_label(value)


def _changes_text(changes: tuple[Change, ...]) -> str:
    """``none``, or the first two changes ("L2 λ 0.7 from 120") and how many more."""
    words = []
    for iteration, name, value in changes[:2]:
        if name in SETTINGS:
            words.append(f"{SETTINGS[name].label} {value_text(name, value)} from {iteration}")
        else:  # a weight set by hand
            words.append(f"{name} = {number_text(float(value))} at {iteration}")
    more = f" and {len(changes) - 2} more" if len(changes) > 2 else ""
    return "; ".join(words) + more if words else "none"


def difference(a: PinRecipe, b: PinRecipe) -> list[str]:
    """What changes from run ``a`` to run ``b``, in words: ``["L2 λ 0 → 0.7", ...]`` (the
    settings' labels, in the declarations' order; empty when nothing does)."""
    words = []
    if a.data != b.data:
        words.append(f"data {a.data or 'generated'} → {b.data or 'generated'}")
    for name in PIN_SETTINGS:
        if name not in a.settings or name not in b.settings:
            continue  # data without two columns has no input features
        old, new = value_text(name, a.settings[name]), value_text(name, b.settings[name])
        if old != new:
            words.append(f"{SETTINGS[name].label} {old} → {new}")
    if a.changes != b.changes:
        old, new = _changes_text(a.changes), _changes_text(b.changes)
        words.append(f"changes during the run: {old} → {new}" if old != new else "other changes")
    if a.weights != b.weights:
        words.append(f"weights {a.weights or 'from the seed'} → {b.weights or 'from the seed'}")
    return words


def difference_text(a: PinRecipe, b: PinRecipe) -> str:
    """``difference`` as one line: "same settings" when nothing differs."""
    return ", ".join(difference(a, b)) or "same settings"


# -- the replay --------------------------------------------------------------------------------
class Replay:
    """A recipe trained again, a slice at a time (``run``), for its curves.

    Raises ``ValueError``/``TypeError`` when the recipe's settings do not fit together.
    """

    def __init__(self, recipe: PinRecipe) -> None:
        self.recipe = recipe
        self.error = ""  # the divergence that ended it early, if any
        # The very path a link's run takes: a LabState made from the settings and changes.
        self._state = LabState(**recipe.settings, changes=list(recipe.changes))

    @property
    def done(self) -> bool:
        return bool(self.error) or self._state.session.iteration >= self.recipe.iterations

    def run(self, budget_s: float) -> None:
        """Train for about ``budget_s`` seconds (at least one unit) towards the recipe."""
        session = self._state.session
        try:
            session.advance(self.recipe.iterations - session.iteration, budget_s)
        except DivergenceError as error:
            self.error = str(error)

    def curves(self) -> dict[str, list]:
        """The costs so far (``CURVES``)."""
        return _curves(self._state.session.cost_history(0, self.recipe.iterations))


def _curves(history: dict[str, list]) -> dict[str, list]:
    return {key: list(history[key]) for key in CURVES}


@dataclass
class Pin:
    """A pinned run: its recipe and cost curves (filling in while ``replay`` runs)."""

    recipe: PinRecipe
    curves: dict[str, list] = field(default_factory=lambda: {key: [] for key in CURVES})
    replay: Replay | None = None


# -- the board ---------------------------------------------------------------------------------
class PinBoard(param.Parameterized):
    """The pinned runs of one page (at most ``MAX_PINS``); they outlive resets and settings."""

    pins = param.List(default=[], item_type=Pin, doc="The pinned runs, oldest first.")
    message = param.String(default="", doc="What the last pin or unpin did.")
    version = param.Integer(default=0, doc="Bumped when a replay's curves grow.")

    @property
    def busy(self) -> bool:
        """Whether a replay is under way."""
        return any(pin.replay is not None for pin in self.pins)

    @property
    def full(self) -> bool:
        return len(self.pins) >= MAX_PINS

    def pin(self, state: LabState) -> bool:
        """Pin ``state``'s run as far as it has trained; False (and ``message`` says why)
        when there is nothing to pin or the board is full."""
        session = state.session
        if self.full:
            self.message = f"At most {MAX_PINS} pinned runs: unpin one (×) to pin this run."
            return False
        if session.iteration == 0:
            self.message = "Nothing to pin yet: train first (Play or Step)."
            return False
        recipe = recipe_of(state)
        curves = _curves(session.cost_history(0, recipe.iterations))
        self.pins = [*self.pins, Pin(recipe, curves)]
        self.message = (
            f"Pinned run {len(self.pins)} ({recipe.iterations} {session.unit}s): later runs "
            "draw their costs over it."
        )
        return True

    def unpin(self, index: int) -> None:
        """Remove pin ``index`` (0-based)."""
        if 0 <= index < len(self.pins):
            self.pins = [pin for i, pin in enumerate(self.pins) if i != index]
            self.message = f"Unpinned run {index + 1}."

    def unpin_all(self) -> None:
        if self.pins:
            self.pins = []
            self.message = "Unpinned every run."

    def replay(self, recipes: list[PinRecipe]) -> list[str]:
        """Pin ``recipes`` (a link's) and start recomputing their curves; returns a notice
        for each that cannot be replayed (or does not fit on the board)."""
        notices, pins = [], list(self.pins)
        for number, recipe in enumerate(recipes, start=1):
            if len(pins) >= MAX_PINS:
                notices.append(f"The link's pinned run {number} is left out: at most {MAX_PINS}.")
                continue
            try:
                pins.append(Pin(recipe, replay=Replay(recipe)))
            except (TypeError, ValueError) as error:
                notices.append(
                    f"The link's pinned run {number} is left out: its settings do not fit "
                    f"together ({error})."
                )
        self.pins = pins
        return notices

    def work(self, budget_s: float = REPLAY_SLICE_S) -> None:
        """Advance the first replay under way by about ``budget_s`` seconds."""
        for pin in self.pins:
            if pin.replay is None:
                continue
            pin.replay.run(budget_s)
            pin.curves = pin.replay.curves()
            if pin.replay.done:
                if pin.replay.error:
                    self.message = f"A pinned run stopped early: {pin.replay.error}"
                pin.replay = None
            self.version += 1
            return

    def recipes(self, linkable: bool = True) -> list[PinRecipe]:
        """The pins' recipes a link can carry (or, ``linkable=False``, those it cannot)."""
        return [pin.recipe for pin in self.pins if pin.recipe.linkable == linkable]
