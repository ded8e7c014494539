"""The lab's settings in the page URL: strict parsing of a shared link, and the canonical link.

A link is the experiment: ``?dataset=moons&n_points=300&...&weight_seed=1`` restores every
setting, and because data and weights are seeded, training replays the same cost curve.
Settings changed during the run (the learning rate and λ act at once) travel too, as
``changes=lambd@120:0.1,learning_rate@300:0.03``: from iteration 120 on λ was 0.1, and so on.

Parsing never trusts the URL. The query is split once with ``urllib.parse.parse_qsl`` (no
recursion, no type guessing, nothing evaluated); each key is then read by the declaration
of its setting (``layerlab.settings``): numbers are plain ASCII decimals, finite, clamped into
the setting's range with a notice; choices must be one of theirs; a set (the input
features: ``features=x1,x2,x1x2``) names some of its choices, in any order (a name given
twice gets a notice); layers use the page's own syntax. Anything else is ignored with a
notice. Notices are plain text that quote at most ``QUOTE_CHARS`` characters of a user
value, with control characters escaped and ``<``/``>`` replaced; the view must still
``html.escape`` them.

Reserved keys besides the settings:

- ``preset=NAME``: a key of ``PRESETS``, applied first; explicit keys override it.
- ``hide=a,b``: controls a teacher hides; ``only=a,b``: show only these and Play (both may
  be given: ``only`` picks the visible set, then ``hide`` removes more). Names are those of
  ``CONTROLS`` or of ``CONTROL_GROUPS`` (which expand to their members). Without Play
  (``hide=play``) the run starts by itself.
- ``changes=...``: see above; at most ``MAX_CHANGES``.
- ``view=discrete,steps,sweep``: views the page opens (``VIEWS``).
- ``sweep=0,0.01,0.1,1``: the λ sweep's grid (``layerlab.sweep.parse_grid``: at most
  ``MAX_POINTS`` values in ``[0, 10]``); a bad grid gets a notice and the default grid.
- ``pin=ITERATIONS;key:value;...``: a pinned run to compare with (repeatable, at most
  ``MAX_PINS``): the iterations it reached, then the settings in which it differs from the
  defaults and its ``changes:...``. Read strictly: a bad iteration count, an unknown key, a
  value that is not valid (out of range included: a clamped value would be another run) or a
  key given twice leaves that pin out, with a notice naming the value.

A key given more than once (but ``pin``): the **last** value wins (so appending
``&lambd=0.1`` to a link overrides it), and a notice says so.

``plain_query`` is a safe stand-in for Panel's own query parser (see its docstring).
"""

from collections.abc import Iterable, Mapping
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode

from layerlab.setting import GROUPS
from layerlab.settings import (
    LINK_SETTINGS,
    UI_SETTINGS,
    group_members,
)
from layerlab.sweep import format_grid, parse_grid
from layerlab.ui.link_values import (
    MAX_VALUE_CHARS,
    Rejected,
    change_text,
    format_value,
    parse_changes,
    parse_value,
    plain,
    quoted,
    same_value,
)
from layerlab.ui.pin_links import MAX_PIN_CHARS, parse_pins, pin_text
from layerlab.ui.pins import PinRecipe
from layerlab.ui.presets import PRESETS
from layerlab.ui.session import Change

MAX_QUERY_CHARS = 4096  # a canonical link is about 200 characters
MAX_FIELDS = 64
MAX_NOTICES = 12

# Controls a link can hide: every setting the page offers, and the page's other parts. The UI
# maps each name to its widget; "play" is the Play/Pause, Step and Reset row, "upload" the
# CSV upload, "model" the weights and script downloads and the weights upload, "share" the
# Copy link and Embed buttons.
CONTROLS = (*UI_SETTINGS, "presets", "play", "gradcheck", "upload", "model", "share")
CONTROL_GROUPS = {group: group_members(group) for group in GROUPS}
# Views a link may open: the decision map as two classes, the step-by-step walk, the λ sweep.
VIEWS = ("discrete", "steps", "sweep")


class ParsedQuery(NamedTuple):
    """What a link asks for: validated settings, notices for the user, hidden controls."""

    settings: dict[str, object]  # setting name -> value, ready for LabState(**settings)
    notices: list[str]  # plain text, one per ignored or changed value
    hidden: set[str]  # names from CONTROLS the page should hide
    preset: str | None  # the preset applied before the explicit keys, if any
    changes: tuple[Change, ...] = ()  # (iteration, name, value) changed during the run
    views: frozenset[str] = frozenset()  # names from VIEWS the page opens
    pins: tuple[PinRecipe, ...] = ()  # pinned runs to replay
    sweep: tuple[float, ...] | None = None  # the λ sweep's grid, if the link gives one


# -- parsing ---------------------------------------------------------------------------------
def parse_query(query: str, presets: Mapping[str, dict] = PRESETS) -> ParsedQuery:
    """Validate a URL query (``location.search``, with or without the leading ``?``).

    ``presets`` maps preset names to settings (default ``PRESETS``). Anything after a ``#``
    is ignored. Never raises, whatever the input.
    """
    notices: list[str] = []
    pairs = _split(query, notices)
    pins = parse_pins([value for key, value in pairs if key == "pin"], notices)
    values = _last_values([pair for pair in pairs if pair[0] != "pin"], notices)
    preset = _preset(values.pop("preset", None), presets, notices)
    settings = dict(presets[preset]) if preset else {}
    hidden = _hidden(values.pop("only", None), values.pop("hide", None), notices)
    changes = parse_changes(values.pop("changes", None), notices)
    views = _views(values.pop("view", None), notices)
    sweep = _sweep_grid(values.pop("sweep", None), notices)
    for key, text in values.items():
        if key not in LINK_SETTINGS:
            notices.append(f"Unknown setting {quoted(key)} in the link: ignored.")
            continue
        try:
            settings[key] = parse_value(key, text, notices)
        except Rejected as rejection:
            notices.append(plain(str(rejection)))
    return ParsedQuery(
        settings, _capped(notices), hidden, preset, tuple(changes), views, tuple(pins), sweep
    )


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


def _views(text: str | None, notices: list[str]) -> frozenset[str]:
    """The views ``view=a,b`` opens; unknown names get a notice."""
    if text is None:
        return frozenset()
    names = {name.strip() for name in text[:MAX_VALUE_CHARS].split(",") if name.strip()}
    for name in sorted(names - set(VIEWS)):
        notices.append(f"view= names an unknown view {quoted(name)}: use {', '.join(VIEWS)}.")
    return frozenset(names & set(VIEWS))


def _sweep_grid(text: str | None, notices: list[str]) -> tuple[float, ...] | None:
    """The λ sweep's grid ``sweep=0,0.1,1``, or None (with a notice if it is bad)."""
    if text is None:
        return None
    try:
        return tuple(parse_grid(text))
    except ValueError as error:
        notices.append(plain(f"sweep= in the link: {error}. Kept the default grid."))
        return None


def _hidden(only: str | None, hide: str | None, notices: list[str]) -> set[str]:
    """The controls to hide: all but ``only`` (if it names any) and Play, plus ``hide``.

    Play, Step and Reset stay with ``only`` (without them nothing could happen); a link that
    hides them (``hide=play``) starts training by itself.
    """
    hidden: set[str] = set()
    if only is not None:
        shown = _control_names("only", only, notices)
        if shown:
            hidden = set(CONTROLS) - shown - {"play"}
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
    changes: Iterable[Change] = (),
    views: Iterable[str] = (),
    pins: Iterable[PinRecipe] = (),
    sweep: Iterable[float] | None = None,
) -> str:
    """The canonical query (without ``?``) for ``settings``, keys in the declarations' order.

    With ``defaults=None`` (what "Copy link" and the address bar should use) every setting is
    written, so the link keeps meaning the same run even if a later version changes its
    defaults. With ``defaults``, settings equal to them are left out (a shorter, hand-made
    link). Floats are written in their shortest exact form, so parsing gives back the
    bit-identical value. ``hidden`` controls are kept as ``hide=`` or ``only=`` (see
    ``hidden_pairs``), ``changes`` as ``changes=``, each of ``pins`` (linkable recipes) as a
    ``pin=`` (``pin_text``); a pin too long for a link (``MAX_PIN_CHARS``) is left out; the λ
    sweep's grid as ``sweep=``.
    """
    defaults = defaults or {}
    pairs = [
        (key, format_value(key, settings[key]))
        for key in LINK_SETTINGS
        if key in settings
        and not (key in defaults and same_value(key, settings[key], defaults[key]))
    ]
    changes = list(changes)
    if changes:
        text = ",".join(change_text(change) for change in changes)
        pairs.append(("changes", text))
    views = set(views)
    if views:
        pairs.append(("view", ",".join(name for name in VIEWS if name in views)))
    if sweep is not None:
        pairs.append(("sweep", format_grid(sweep).replace(" ", "")))
    for recipe in pins:
        text = pin_text(recipe)
        if len(text) <= MAX_PIN_CHARS:
            pairs.append(("pin", text))
    hidden = set(hidden)
    if hidden:
        pairs.extend(hidden_pairs(hidden))
    return urlencode(pairs, safe=",@:;", quote_via=quote)


def hidden_pairs(hidden: set[str]) -> list[tuple[str, str]]:
    """The link's keys for the ``hidden`` controls: ``hide=`` naming them, or ``only=`` naming
    the others (with ``hide=play`` when Play is hidden too), whichever is shorter.

    A link that shows a few controls would otherwise list all the rest in ``hide=``, longer
    than ``MAX_VALUE_CHARS``; the shorter of the two is at most half of all the names.
    """
    hide = [("hide", ",".join(name for name in CONTROLS if name in hidden))]
    shown = [name for name in CONTROLS if name not in hidden and name != "play"]
    only = [("only", ",".join(shown or ["play"]))]  # Play is shown with ``only=`` anyway
    if "play" in hidden:
        only.append(("hide", "play"))
    return min(hide, only, key=lambda pairs: len(urlencode(pairs)))
