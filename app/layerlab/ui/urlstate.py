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

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode

from layerlab.edits import check_weight, weight_name, weight_position
from layerlab.setting import GROUPS, number_text, parse_number
from layerlab.settings import (
    LINK_SETTINGS,
    MAX_ITERATIONS,
    SETTINGS,
    UI_SETTINGS,
    group_members,
)
from layerlab.sweep import format_grid, parse_grid
from layerlab.ui.pins import MAX_PINS, PIN_SETTINGS, PinRecipe, defaults
from layerlab.ui.presets import PRESETS
from layerlab.ui.session import LIVE, Change

MAX_QUERY_CHARS = 4096  # a canonical link is about 200 characters
MAX_VALUE_CHARS = 200
MAX_CHANGES = 40
MAX_PIN_CHARS = 600  # a pin with every setting off its default and a few changes fits
MAX_FIELDS = 64
MAX_NOTICES = 12
QUOTE_CHARS = 40  # at most this much of a user value is ever echoed

# Controls a link can hide: every setting the page offers, and the page's other parts. The UI
# maps each name to its widget; "play" is the Play/Pause, Step and Reset row, "upload" the
# CSV upload, "model" the weights and script downloads and the weights upload, "share" the
# Copy link and Embed buttons.
CONTROLS = (*UI_SETTINGS, "presets", "play", "gradcheck", "upload", "model", "share")
CONTROL_GROUPS = {group: group_members(group) for group in GROUPS}
# Views a link may open: the decision map as two classes, the step-by-step walk, the λ sweep.
VIEWS = ("discrete", "steps", "sweep")
_CHANGE = re.compile(r"([a-z_][a-z0-9_]*|w[0-9]{1,3}\.[0-9]{1,4}\.[0-9]{1,4})@([0-9]{1,6}):(.+)")


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


class Rejected(ValueError):
    """A URL value that cannot be used; the message is a notice for the user."""


def quoted(text: str) -> str:
    """``text`` as it may be echoed back: short, control characters escaped, no ``<``/``>``."""
    shown = repr(text[:QUOTE_CHARS]) + ("…" if len(text) > QUOTE_CHARS else "")
    return plain(shown)


def plain(text: str) -> str:
    """A notice that cannot open an HTML tag even if a view forgot to escape it."""
    return text.replace("<", "‹").replace(">", "›")


# -- parsing ---------------------------------------------------------------------------------
def parse_query(query: str, presets: Mapping[str, dict] = PRESETS) -> ParsedQuery:
    """Validate a URL query (``location.search``, with or without the leading ``?``).

    ``presets`` maps preset names to settings (default ``PRESETS``). Anything after a ``#``
    is ignored. Never raises, whatever the input.
    """
    notices: list[str] = []
    pairs = _split(query, notices)
    pins = _pins([value for key, value in pairs if key == "pin"], notices)
    values = _last_values([pair for pair in pairs if pair[0] != "pin"], notices)
    preset = _preset(values.pop("preset", None), presets, notices)
    settings = dict(presets[preset]) if preset else {}
    hidden = _hidden(values.pop("only", None), values.pop("hide", None), notices)
    changes = _changes(values.pop("changes", None), notices)
    views = _views(values.pop("view", None), notices)
    sweep = _sweep_grid(values.pop("sweep", None), notices)
    for key, text in values.items():
        if key not in LINK_SETTINGS:
            notices.append(f"Unknown setting {quoted(key)} in the link: ignored.")
            continue
        try:
            settings[key] = _parse_value(key, text, notices)
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


def _parse_value(key: str, text: str, notices: list[str]) -> object:
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
    setting = SETTINGS[key]
    try:
        value = setting.parse(text)
    except ValueError as error:
        if setting.kind == "layers":
            raise Rejected(f"{key} in the link: {error} Kept the default.") from None
        raise Rejected(f"{key}={quoted(text)} {error}: kept the default.") from None
    if setting.kind == "set":
        names = [name.strip() for name in text.split(",") if name.strip()]
        if len(names) > len(value):
            notices.append(f"{key}={quoted(text)} names a feature more than once: used it once.")
    if setting.bounds is None:
        return value
    clamped = setting.clamp(value)
    if clamped != value:
        side = "below the minimum" if value < clamped else "above the maximum"
        notices.append(f"{key}={quoted(text)} is {side}: used {setting.shown(clamped)}.")
    return clamped


def _changes(text: str | None, notices: list[str]) -> list[Change]:
    """The ``changes=name@iteration:value,...`` of a link: each checked like its setting (and
    clamped with a notice); a malformed one is left out with a notice."""
    if text is None:
        return []
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    if len(entries) > MAX_CHANGES:
        notices.append(f"changes= lists {len(entries)} changes, at most {MAX_CHANGES}: ignored.")
        return []
    changes: dict[tuple[int, str], float] = {}
    for entry in entries:
        match = _CHANGE.fullmatch(entry)
        weight = match is not None and match[1].startswith("w")
        if not match or not (weight or match[1] in LIVE):
            live = f"{', '.join(LIVE[:-1])} or {LIVE[-1]}"
            notices.append(
                f"changes= has {quoted(entry)}: write {live}@iteration:value "
                "(w2.3.1@iteration:value for the weight W2[3,1]). Ignored it."
            )
            continue
        iteration = int(match[2])
        if not (0 if weight else 1) <= iteration <= MAX_ITERATIONS:
            notices.append(f"changes= has {quoted(entry)}: the iteration is out of range.")
            continue
        try:
            if weight:
                name = weight_name(*(int(part) for part in match[1][1:].split(".")))
                changes[iteration, name] = check_weight(parse_number(match[3]))
            else:
                changes[iteration, match[1]] = _parse_value(match[1], match[3], notices)
        except Rejected as rejection:
            notices.append(plain(f"changes= has {quoted(entry)}: {rejection}"))
        except ValueError as error:
            notices.append(plain(f"changes= has {quoted(entry)}: {error}. Ignored it."))
    return [(iteration, name, value) for (iteration, name), value in sorted(changes.items())]


def _pins(texts: list[str], notices: list[str]) -> list[PinRecipe]:
    """The link's ``pin=`` values as recipes (the first ``MAX_PINS``); each bad one is left
    out with a notice."""
    if len(texts) > MAX_PINS:
        notices.append(
            f"The link has {len(texts)} pinned runs (pin=), at most {MAX_PINS}: used the first "
            f"{MAX_PINS}."
        )
    recipes = []
    for text in texts[:MAX_PINS]:
        try:
            recipes.append(_pin(text))
        except Rejected as rejection:
            notices.append(plain(f"The pinned run pin={quoted(text)} is left out: {rejection}"))
    return recipes


def _pin(text: str) -> PinRecipe:
    """One ``ITERATIONS;key:value;...`` pin, or ``Rejected`` saying what is wrong."""
    if len(text) > MAX_PIN_CHARS:
        raise Rejected(f"it is too long ({len(text):,} characters, at most {MAX_PIN_CHARS}).")
    head, *parts = text.split(";")
    head = head.strip()
    if not re.fullmatch(r"[0-9]{1,6}", head) or not 1 <= int(head) <= MAX_ITERATIONS:
        raise Rejected(
            f"it starts with {quoted(head)}, not the iterations it reached (1 to "
            f"{MAX_ITERATIONS:,})."
        )
    settings, changes = {}, None
    for part in filter(None, (part.strip() for part in parts)):
        key, colon, value = (piece.strip() for piece in part.partition(":"))
        if not colon or not value:
            raise Rejected(f"{quoted(part)} is not key:value.")
        if key in settings or (key == "changes" and changes is not None):
            raise Rejected(f"{quoted(key)} is given twice.")
        if key == "changes":
            problems: list[str] = []
            changes = _changes(value, problems)
            if problems:
                raise Rejected(problems[0])
        elif key in PIN_SETTINGS:
            settings[key] = _pin_value(key, value)
        else:
            raise Rejected(f"{quoted(key)} is not a setting a pinned run has.")
    return PinRecipe({**defaults(), **settings}, int(head), tuple(changes or ()))


def _pin_value(key: str, text: str) -> object:
    """``text`` as setting ``key``'s value, valid as it is (never clamped)."""
    setting = SETTINGS[key]
    try:
        value = setting.parse(text)
    except ValueError as error:
        raise Rejected(f"{key}:{quoted(text)} {error}.") from None
    try:
        return setting.check(value)
    except (TypeError, ValueError) as error:
        raise Rejected(f"{key}:{quoted(text)}: {error}") from None


def pin_text(recipe: PinRecipe) -> str:
    """One pin as a link writes it: ``300;lambd:0.7;hidden_layers:16`` (the settings off
    their defaults, then the changes)."""
    default = defaults()
    parts = [str(recipe.iterations)]
    for key in PIN_SETTINGS:
        if key in recipe.settings and not _same(key, recipe.settings[key], default[key]):
            parts.append(f"{key}:{format_value(key, recipe.settings[key])}")
    if recipe.changes:
        parts.append("changes:" + ",".join(change_text(change) for change in recipe.changes))
    return ";".join(parts)


def change_text(change: Change) -> str:
    """One change as a link writes it: ``lambd@120:0.1``, ``w2.3.1@40:-0.5``."""
    iteration, name, value = change
    position = weight_position(name)
    key = name if position is None else "w" + ".".join(str(part) for part in position)
    return f"{key}@{iteration}:{number_text(float(value))}"


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
        if key in settings and not (key in defaults and _same(key, settings[key], defaults[key]))
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


def _same(key: str, a: object, b: object) -> bool:
    return type(a) is type(b) and format_value(key, a) == format_value(key, b)


def format_value(key: str, value: object) -> str:
    """Setting ``key`` as URL text: exact floats, compact layer lists (see ``Setting.format``)."""
    return SETTINGS[key].format(value)
