"""One value of a link, read and written: a setting's value (checked by its declaration, clamped
with a notice), the changes made during a run (``lambd@120:0.1``, ``w2.3.1@40:-0.5``), and
the notices' quoting of what the user wrote. The link as a whole is ``urlstate``'s."""

import re

from layerlab.edits import check_weight, weight_name, weight_position
from layerlab.setting import number_text, parse_number
from layerlab.settings import MAX_ITERATIONS, SETTINGS
from layerlab.ui.session import LIVE, Change

MAX_VALUE_CHARS = 200
MAX_CHANGES = 40
QUOTE_CHARS = 40  # at most this much of a user value is ever echoed
_CHANGE = re.compile(r"([a-z_][a-z0-9_]*|w[0-9]{1,3}\.[0-9]{1,4}\.[0-9]{1,4})@([0-9]{1,6}):(.+)")


class Rejected(ValueError):
    """A URL value that cannot be used; the message is a notice for the user."""


def quoted(text: str) -> str:
    """``text`` as it may be echoed back: short, control characters escaped, no ``<``/``>``."""
    shown = repr(text[:QUOTE_CHARS]) + ("…" if len(text) > QUOTE_CHARS else "")
    return plain(shown)


def plain(text: str) -> str:
    """A notice that cannot open an HTML tag even if a view forgot to escape it."""
    return text.replace("<", "‹").replace(">", "›")


def parse_value(key: str, text: str, notices: list[str]) -> object:
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


def parse_changes(text: str | None, notices: list[str]) -> list[Change]:
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
                changes[iteration, match[1]] = parse_value(match[1], match[3], notices)
        except Rejected as rejection:
            notices.append(plain(f"changes= has {quoted(entry)}: {rejection}"))
        except ValueError as error:
            notices.append(plain(f"changes= has {quoted(entry)}: {error}. Ignored it."))
    return [(iteration, name, value) for (iteration, name), value in sorted(changes.items())]


def change_text(change: Change) -> str:
    """One change as a link writes it: ``lambd@120:0.1``, ``w2.3.1@40:-0.5``."""
    iteration, name, value = change
    position = weight_position(name)
    key = name if position is None else "w" + ".".join(str(part) for part in position)
    return f"{key}@{iteration}:{number_text(float(value))}"


def same_value(key: str, a: object, b: object) -> bool:
    return type(a) is type(b) and format_value(key, a) == format_value(key, b)


def format_value(key: str, value: object) -> str:
    """Setting ``key`` as URL text: exact floats, compact layer lists (see ``Setting.format``)."""
    return SETTINGS[key].format(value)
