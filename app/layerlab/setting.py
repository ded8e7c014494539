"""What a setting of a Layer Lab run is: :class:`Setting`, its checks, link text and labels.

The declarations themselves are in ``layerlab.settings``. A :class:`Setting` holds all
there is to know about one setting:

* what it is: its kind (``int``, ``float``, ``choice``, ``set``: a selection of choices, or
  ``layers``), its default in the app, and the **domain** the core accepts (``TrainConfig``
  and ``Trainer`` check values against it, with the core's messages);
* how the page offers it: label, help text, unit, the **range** a widget spans and a link
  may hold (always inside the domain), a step or a ladder of values, the kind of widget and
  the card it sits in (``group``);
* what changing it does to a run (``effect``) and whether a link carries it (``in_link``);
* how the exported script spells it (``constant``, commented with ``help``) and which
  ``TrainConfig`` field it sets (``config_field``).

The widgets, the link parser and writer, the UI's validation messages (:meth:`Setting.check`),
``TrainConfig`` and the exported script all read the declarations. Pure Python.
"""

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .layers import format_hidden_layers, parse_hidden_layers
from .validation import check_choice, check_count, check_real

QUOTE_CHARS = 24  # at most this much of a rejected value is quoted back

KINDS = ("int", "float", "choice", "set", "layers")
GROUPS = ("data", "network", "training")
# What a change does to a run: a new sample of the data; a new split (the user's own data
# stays); a fresh network; nothing but the next steps (applied to the running trainer);
# nothing to the numbers at all (how far and how fast training goes).
EFFECTS = ("generator", "split", "network", "live", "pacing")
WIDGETS = ("select", "slider", "ladder", "number", "text", "toggles")

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class Domain:
    """The values the core accepts for a number: ``[low, high]`` (``(low, high]`` if
    ``low_open``), and None too if ``optional``."""

    low: float
    high: float = math.inf
    low_open: bool = False
    optional: bool = False


def parse_number(text: str) -> float:
    """A plain ASCII decimal (``0.5``, ``-1e-3``), finite; ``ValueError`` saying why not."""
    if not _DECIMAL_TEXT.fullmatch(text):
        raise ValueError("is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("is not a finite number")
    return value + 0.0  # -0.0 becomes 0.0


def number_text(value: float) -> str:
    """A float as link text: its shortest exact form, so that parsing gives it back."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))  # "1" parses back to exactly 1.0
    return repr(value).replace("e+", "e")  # "1e16": no "+" to escape in a URL


def quoted(value: object) -> str:
    """``repr(value)``, cut short so that a huge input cannot flood a message."""
    text = repr(value)
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


@dataclass(frozen=True)
class Setting:
    """One setting: what it is, how the page and a link offer it, what it does."""

    name: str  # attribute, URL key and (upper-cased) script constant
    kind: str  # one of KINDS
    default: object  # the app's default
    label: str  # what the page calls it
    help: str  # one short line: what it does (also the script's comment)
    group: str = ""  # the card it sits in (GROUPS); "" for a setting only scripts know
    effect: str = "network"  # one of EFFECTS
    low: float | None = None  # the range widgets span and links may hold (numbers)
    high: float | None = None
    domain: Domain | None = None  # what the core accepts (numbers); within it: the range
    step: float | None = None  # a slider's step
    ladder: tuple = ()  # the values a ladder slider or a menu offers
    widget: str = "number"  # one of WIDGETS
    choices: Mapping[str, str] = field(default_factory=dict)  # value -> label (choice, set)
    unit: str = ""  # after a value in a label, e.g. "it / frame"
    zero_label: str = ""  # how a ladder shows 0 when 0 has a meaning ("full batch")
    in_link: bool = True
    config_field: str | None = None  # the TrainConfig field this setting sets
    none_below: float | None = None  # values below this reach the core as None

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert self.effect in EFFECTS, self.effect
        assert self.widget in WIDGETS, self.widget
        assert self.group in (*GROUPS, ""), self.group

    @property
    def constant(self) -> str:
        """The name of this setting in an exported script: ``LEARNING_RATE``."""
        return self.name.upper()

    @property
    def bounds(self) -> tuple[float, float] | None:
        """``(low, high)`` of the range, for numbers."""
        return None if self.low is None else (self.low, self.high)

    # -- the core: TrainConfig and Trainer -------------------------------------------------
    def check_domain(self, value: object, name: str | None = None) -> object:
        """``value`` if the core accepts it, else the core's ``ValueError``/``TypeError``
        naming ``name`` (default: the config field, else the setting's name)."""
        name = name or self.config_field or self.name
        if self.kind == "choice":
            return check_choice(name, value, self.choices)
        if self.kind == "set":
            return self._selection(name, value)
        if self.kind == "layers":
            return parse_hidden_layers(value)
        domain = self.domain
        if value is None and domain.optional:
            return None
        if self.kind == "int":
            low = math.floor(domain.low) + (1 if domain.low_open else 0)
            high = None if math.isinf(domain.high) else int(domain.high)
            return check_count(name, value, low=low, high=high)
        return check_real(name, value, low=domain.low, high=domain.high, low_open=domain.low_open)

    def config_value(self, value: object) -> object:
        """The value the core gets for the app's ``value`` (batch size 0 is None: all)."""
        if self.none_below is not None and value < self.none_below:
            return None
        return value

    # -- the app: friendly checks ----------------------------------------------------------
    def check(self, value: object, current: object = None) -> object:
        """``value`` coerced for this setting, or a ``ValueError``/``TypeError`` the user can
        act on: it names the setting, the range and, if given, the ``current`` value kept."""
        label = self.label
        if self.kind == "choice":
            if value not in self.choices:
                names = ", ".join(self.choices)
                raise ValueError(f"{label} must be one of {names} (got {quoted(value)}).")
            return value
        if self.kind == "set":
            return self._selection(label, value)
        if self.kind == "layers":
            if not isinstance(value, str):
                raise TypeError(f"{label} must be text (got {quoted(value)}).")
            parse_hidden_layers(value)
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{label} must be a number (got {quoted(value)}).")
        if self.kind == "int":
            if not (isinstance(value, numbers.Integral) or float(value).is_integer()):
                raise ValueError(f"{label} must be a whole number (got {quoted(value)}).")
            value = int(value)
        elif not math.isfinite(value):
            raise ValueError(f"{label} must be a finite number (got {quoted(value)}).")
        if not self.low <= value <= self.high:
            kept = "" if current is None else f"; kept {self.shown(current)}"
            raise ValueError(
                f"{label} must be between {self.shown(self.low)} and {self.shown(self.high)} "
                f"(got {quoted(value)}){kept}."
            )
        return value if self.kind == "int" else float(value)

    def _selection(self, name: str, value: object) -> tuple[str, ...]:
        """A ``set`` value: the chosen keys in the choices' order, each once, or an error
        naming ``name``, the bad value and the valid keys."""
        names = ", ".join(self.choices)
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise TypeError(f"{name} must be a list of some of {names} (got {quoted(value)}).")
        unknown = [item for item in value if not isinstance(item, str) or item not in self.choices]
        if unknown:
            raise ValueError(f"{name}: unknown {quoted(unknown[0])}; use some of {names}.")
        if not value:
            raise ValueError(f"{name}: none chosen; pick at least one of {names}.")
        return tuple(key for key in self.choices if key in value)

    def shown(self, value: float) -> str:
        """A number of this setting as a message writes it: whole numbers in full."""
        return str(int(value)) if self.kind == "int" else f"{value:g}"

    def clamp(self, value: float) -> float:
        """A number moved into the range (the type kept)."""
        if value < self.low:
            return type(value)(self.low)
        if value > self.high:
            return type(value)(self.high)
        return value

    # -- links ------------------------------------------------------------------------------
    def parse(self, text: str) -> object:
        """The value ``text`` (from a link) spells, not yet clamped; ``ValueError`` if none.

        Numbers are plain ASCII decimals only (no ``nan``, ``inf``, ``1_000``, hex or other
        digits); layers are the page's own layer syntax, stored canonically; a set is its
        keys separated by commas, in any order (stored in the choices' order).
        """
        if self.kind == "layers":
            return format_hidden_layers(parse_hidden_layers(text))
        if self.kind == "set":
            names = [name.strip() for name in text.split(",") if name.strip()]
            unknown = [name for name in names if name not in self.choices]
            if unknown:
                raise ValueError(f"has {quoted(unknown[0])}, not one of {', '.join(self.choices)}")
            if not names:
                raise ValueError(f"names none of {', '.join(self.choices)}")
            return self._selection(self.name, names)
        if self.kind == "choice":
            if text not in self.choices:
                raise ValueError(f"is not one of {', '.join(self.choices)}")
            return text
        if self.kind == "int" and _INTEGER_TEXT.fullmatch(text):
            return int(text)  # links cap values' length: far below Python's digit limit
        value = parse_number(text)
        if self.kind == "int":
            if not value.is_integer():
                raise ValueError("is not a whole number")
            return int(value)
        return value

    def format(self, value: object) -> str:
        """The value as link text: exact floats (shortest round-trip form), compact layers."""
        if self.kind == "layers":
            return ",".join(str(size) for size in parse_hidden_layers(value)) or "none"
        if self.kind == "set":
            return ",".join(self._selection(self.name, value))
        return number_text(value) if isinstance(value, float) else str(value)

    # -- widgets ----------------------------------------------------------------------------
    def option_label(self, value: object) -> str:
        """How a menu, a ladder or a toggle shows ``value``."""
        if self.kind in ("choice", "set"):
            return self.choices[value]
        if value == 0 and self.zero_label:
            return self.zero_label
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{text} {self.unit}" if self.unit else text

    def options(self, current: object = None) -> dict[str, object]:
        """``{label: value}`` a menu, a ladder or toggles offer: the choices, or the ladder
        plus ``current`` (a link may hold any valid value)."""
        if self.kind in ("choice", "set"):
            return {label: value for value, label in self.choices.items()}
        values = sorted({*self.ladder, *([] if current is None else [current])})
        return {self.option_label(value): value for value in values}
