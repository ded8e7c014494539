"""The lab's settings in the page URL: strict parsing of a shared link, and the canonical link.

A link is the experiment: ``?dataset=moons&n_points=300&...&weight_seed=1`` restores every
setting, and because data and weights are seeded, training replays the same cost curve.

Parsing never trusts the URL. The query is split once with ``urllib.parse.parse_qsl`` (no
recursion, no type guessing, nothing evaluated); each key is then checked against the
``param`` object that declares it in ``LabState``:

- ``Integer`` / ``Number``: plain ASCII decimal text only (no ``nan``, ``inf``, ``1_000``,
  hex or Unicode digits), finite, then clamped into the parameter's bounds with a notice;
- ``Selector``: one of its objects, else ignored with a notice listing the choices;
- ``Boolean``: ``true``/``false``/``1``/``0``/``yes``/``no``/``on``/``off``;
- ``hidden_layers``: the UI's own layer parser (``parse_hidden_layers``), stored canonically.

Anything else is ignored with a notice. Notices are plain text that quote at most
``QUOTE_CHARS`` characters of a user value, with control characters escaped and ``<``/``>``
replaced; the view must still ``html.escape`` them.

Reserved keys besides the settings:

- ``preset=NAME``: a key of ``PRESETS``, applied first; explicit keys override it.
- ``hide=a,b``: controls a teacher hides; ``only=a,b``: show only these (both may be given:
  ``only`` picks the visible set, then ``hide`` removes more). Names are those of
  ``CONTROLS`` or of ``CONTROL_GROUPS`` (which expand to their members).

A key given more than once: the **last** value wins (so appending ``&lambd=0.1`` to a link
overrides it), and a notice says so.

``plain_query`` is a safe stand-in for Panel's own query parser (see its docstring).
"""

import math
import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode

import param

from layerlab.ui.layers import format_hidden_layers, parse_hidden_layers
from layerlab.ui.state import PRESETS, SETTINGS, LabState

MAX_QUERY_CHARS = 4096  # a canonical link is about 200 characters
MAX_VALUE_CHARS = 200
MAX_FIELDS = 64
MAX_NOTICES = 12
QUOTE_CHARS = 40  # at most this much of a user value is ever echoed

# Controls a link can hide: every setting, the speed, and the non-setting parts of the page.
# The UI maps each name to its widget; "play" is the Play/Pause, Step and Reset row,
# "upload" the CSV upload, "model" the weights and script downloads and the weights upload,
# "share" the Copy link button.
CONTROLS = (
    *SETTINGS,
    "steps_per_tick",
    "presets",
    "play",
    "gradcheck",
    "upload",
    "model",
    "share",
)
CONTROL_GROUPS = {
    "data": ("dataset", "n_points", "noise", "test_ratio", "data_seed"),
    "network": ("hidden_layers", "init", "weight_seed"),
    "training": (
        "learning_rate",
        "lambd",
        "optimizer",
        "batch_size",
        "keep_prob",
        "iterations",
        "steps_per_tick",
    ),
}

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True}
_BOOLEANS |= {"false": False, "0": False, "no": False, "off": False}


class ParsedQuery(NamedTuple):
    """What a link asks for: validated settings, notices for the user, hidden controls."""

    settings: dict[str, object]  # setting name -> value, ready for LabState(**settings)
    notices: list[str]  # plain text, one per ignored or changed value
    hidden: set[str]  # names from CONTROLS the page should hide
    preset: str | None  # the preset applied before the explicit keys, if any


class Rejected(ValueError):
    """A URL value that cannot be used; the message is a notice for the user."""


def lab_schema() -> dict[str, param.Parameter]:
    """The ``param`` objects of ``LabState``'s URL settings, by name, in link order."""
    return {name: LabState.param[name] for name in SETTINGS}


def quoted(text: str) -> str:
    """``text`` as it may be echoed back: short, control characters escaped, no ``<``/``>``."""
    shown = repr(text[:QUOTE_CHARS]) + ("…" if len(text) > QUOTE_CHARS else "")
    return plain(shown)


def plain(text: str) -> str:
    """A notice that cannot open an HTML tag even if a view forgot to escape it."""
    return text.replace("<", "‹").replace(">", "›")


# -- parsing ---------------------------------------------------------------------------------
def parse_query(
    query: str,
    schema: Mapping[str, param.Parameter] | None = None,
    presets: Mapping[str, dict] = PRESETS,
) -> ParsedQuery:
    """Validate a URL query (``location.search``, with or without the leading ``?``).

    ``schema`` maps setting names to their ``param`` objects (default ``lab_schema()``).
    ``presets`` maps preset names to settings (default ``PRESETS``). Anything after a ``#``
    is ignored. Never raises, whatever the input.
    """
    schema = lab_schema() if schema is None else schema
    notices: list[str] = []
    pairs = _split(query, notices)
    values = _last_values(pairs, notices)

    preset = _preset(values.pop("preset", None), presets, notices)
    settings = dict(presets[preset]) if preset else {}
    hidden = _hidden(values.pop("only", None), values.pop("hide", None), notices)
    for key, text in values.items():
        if key not in schema:
            notices.append(f"Unknown setting {quoted(key)} in the link: ignored.")
            continue
        try:
            settings[key] = _parse_value(key, text, schema[key], notices)
        except Rejected as rejection:
            notices.append(plain(str(rejection)))
    return ParsedQuery(settings, _capped(notices), hidden, preset)


def plain_query(query: str) -> dict[str, str]:
    """Every key's last value, as text: a safe stand-in for Panel's own query parser.

    ``panel.io.location.parse_query`` guesses types and runs on every page load: 10 KB of
    digits overflow ``int``, ``[[[…`` recurses until Pyodide's stack dies. Install this
    one with ``panel.io.location.parse_query = plain_query`` before the app is served.
    """
    return _last_values(_split(query, []), [])


def _split(query: str, notices: list[str]) -> list[tuple[str, str]]:
    """Key/value pairs of the query, or none if it is too long or has too many fields."""
    if not isinstance(query, str):
        notices.append("The link's settings are not text: ignored them.")
        return []
    query = query.partition("#")[0].removeprefix("?")
    if len(query) > MAX_QUERY_CHARS:
        notices.append(
            f"The link's settings are too long ({len(query):,} characters, at most "
            f"{MAX_QUERY_CHARS:,}): ignored them all."
        )
        return []
    try:
        return parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        notices.append(f"The link has more than {MAX_FIELDS} settings: ignored them all.")
        return []


def _last_values(pairs: list[tuple[str, str]], notices: list[str]) -> dict[str, str]:
    """One value per key: the last one given (a notice names keys given several times)."""
    values: dict[str, str] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in values and key not in repeated:
            repeated.append(key)
        values[key] = value
    notices.extend(f"{quoted(key)} is given more than once: used the last." for key in repeated)
    return values


def _preset(name: str | None, presets: Mapping[str, dict], notices: list[str]) -> str | None:
    if name is None:
        return None
    if name in presets:
        return name
    notices.append(f"Unknown preset {quoted(name)}: use one of {', '.join(presets)}.")
    return None


def _parse_value(key: str, text: str, parameter: param.Parameter, notices: list[str]) -> object:
    """``text`` as a value for setting ``key``; clamping appends a notice.

    Raises ``Rejected`` (a notice) when the value cannot be used at all.
    """
    text = text.strip()
    if not text:
        raise Rejected(f"{key} is empty in the link: kept the default.")
    if len(text) > MAX_VALUE_CHARS:
        raise Rejected(
            f"{key} is too long in the link ({len(text):,} characters, at most "
            f"{MAX_VALUE_CHARS}): kept the default."
        )
    if key == "hidden_layers":
        return _parse_layers(text)
    if isinstance(parameter, param.Boolean):
        return _parse_boolean(key, text)
    if isinstance(parameter, param.Selector):
        return _parse_choice(key, text, parameter.objects)
    if isinstance(parameter, param.Integer):
        return _clamped(key, text, _parse_integer(key, text), parameter.bounds, notices)
    if isinstance(parameter, param.Number):
        return _clamped(key, text, _parse_real(key, text), parameter.bounds, notices)
    raise Rejected(f"{key} cannot be set from a link.")


def _parse_layers(text: str) -> str:
    try:
        return format_hidden_layers(parse_hidden_layers(text))
    except ValueError as error:
        raise Rejected(f"hidden_layers in the link: {error} Kept the default.") from None


def _parse_boolean(key: str, text: str) -> bool:
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise Rejected(f"{key}={quoted(text)} is not true or false: kept the default.")
    return value


def _parse_choice(key: str, text: str, objects: Iterable) -> object:
    for choice in objects:
        if text == str(choice):
            return choice
    choices = ", ".join(str(choice) for choice in objects)
    raise Rejected(f"{key}={quoted(text)} is not one of {choices}: kept the default.")


def _parse_real(key: str, text: str) -> float:
    if not _DECIMAL.fullmatch(text):
        raise Rejected(f"{key}={quoted(text)} is not a number: kept the default.")
    value = float(text)
    if not math.isfinite(value):
        raise Rejected(f"{key}={quoted(text)} is not a finite number: kept the default.")
    return value + 0.0  # -0.0 becomes 0.0


def _parse_integer(key: str, text: str) -> int:
    if _INTEGER.fullmatch(text):
        return int(text)  # at most MAX_VALUE_CHARS digits: far below Python's digit limit
    value = _parse_real(key, text)
    if not value.is_integer():
        raise Rejected(f"{key}={quoted(text)} is not a whole number: kept the default.")
    return int(value)


def _clamped(key: str, text: str, value, bounds: tuple, notices: list[str]):
    """``value`` (parsed from ``text``) moved into the inclusive ``bounds``, with a notice.

    Either end of ``bounds`` may be None (unbounded).
    """
    low, high = bounds
    if low is not None and value < low:
        notices.append(f"{key}={quoted(text)} is below the minimum: used {low:g}.")
        return type(value)(low)
    if high is not None and value > high:
        notices.append(f"{key}={quoted(text)} is above the maximum: used {high:g}.")
        return type(value)(high)
    return value


def _hidden(only: str | None, hide: str | None, notices: list[str]) -> set[str]:
    """The controls to hide: all but ``only`` (if it names any), plus ``hide``."""
    hidden: set[str] = set()
    if only is not None:
        shown = _control_names("only", only, notices)
        if shown:
            hidden = set(CONTROLS) - shown
        else:
            notices.append("only= names no known control: showing every control.")
    if hide is not None:
        hidden |= _control_names("hide", hide, notices)
    return hidden


def _control_names(key: str, text: str, notices: list[str]) -> set[str]:
    """The controls named in a comma list, groups expanded; unknown names get a notice."""
    if len(text) > MAX_VALUE_CHARS:
        notices.append(f"{key}= is too long ({len(text):,} characters): ignored it.")
        return set()
    names: set[str] = set()
    for name in (part.strip() for part in text.split(",")):
        if name in CONTROL_GROUPS:
            names.update(CONTROL_GROUPS[name])
        elif name in CONTROLS:
            names.add(name)
        elif name:
            valid = ", ".join([*CONTROL_GROUPS, *CONTROLS])
            notices.append(f"{key}= names an unknown control {quoted(name)}: use {valid}.")
    return names


def _capped(notices: list[str]) -> list[str]:
    if len(notices) <= MAX_NOTICES:
        return notices
    more = len(notices) - (MAX_NOTICES - 1)
    return [*notices[: MAX_NOTICES - 1], f"… and {more} more problems in the link."]


# -- writing ---------------------------------------------------------------------------------
def format_query(
    settings: Mapping[str, object],
    defaults: Mapping[str, object] | None = None,
    *,
    hidden: Iterable[str] = (),
) -> str:
    """The canonical query (without ``?``) for ``settings``, keys in ``SETTINGS`` order.

    With ``defaults=None`` (what "Copy link" and the address bar should use) every setting is
    written, so the link keeps meaning the same run even if a later version changes its
    defaults. With ``defaults``, settings equal to them are left out (a shorter, hand-made
    link). Floats are written with ``repr`` (shortest exact form), so parsing gives back the
    bit-identical value. ``hidden`` controls are kept as ``hide=``.
    """
    pairs = [
        (key, format_value(key, value))
        for key, value in _ordered(settings)
        if defaults is None or key not in defaults or not _same(key, value, defaults[key])
    ]
    hidden = set(hidden)
    if hidden:
        pairs.append(("hide", ",".join(name for name in CONTROLS if name in hidden)))
    return urlencode(pairs, safe=",", quote_via=quote)


def _ordered(settings: Mapping[str, object]) -> list[tuple[str, object]]:
    known = [(key, settings[key]) for key in SETTINGS if key in settings]
    return known + [(key, value) for key, value in settings.items() if key not in SETTINGS]


def _same(key: str, a: object, b: object) -> bool:
    return type(a) is type(b) and format_value(key, a) == format_value(key, b)


def format_value(key: str, value: object) -> str:
    """Setting ``key`` as URL text: exact floats, ``true``/``false``, compact layer lists."""
    if key == "hidden_layers":
        return ",".join(str(size) for size in parse_hidden_layers(value)) or "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))  # "1" parses back to exactly 1.0
        return repr(value).replace("e+", "e")  # "1e16": no "+" to escape in a URL
    return str(value)
