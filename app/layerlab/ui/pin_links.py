"""Pinned runs in a link: ``pin=ITERATIONS;key:value;...;changes:...`` read strictly (a bad
pin is left out with a notice naming the value; values are never clamped: a clamped value
would be another run) and written (``pin_text``)."""

import re

from layerlab.settings import MAX_ITERATIONS, SETTINGS
from layerlab.ui.link_values import (
    Rejected,
    change_text,
    format_value,
    parse_changes,
    plain,
    quoted,
    same_value,
)
from layerlab.ui.pins import MAX_PINS, PIN_SETTINGS, PinRecipe, defaults

MAX_PIN_CHARS = 600  # a pin with every setting off its default and a few changes fits


def parse_pins(texts: list[str], notices: list[str]) -> list[PinRecipe]:
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
            changes = parse_changes(value, problems)
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
        if key in recipe.settings and not same_value(key, recipe.settings[key], default[key]):
            parts.append(f"{key}:{format_value(key, recipe.settings[key])}")
    if recipe.changes:
        parts.append("changes:" + ",".join(change_text(change) for change in recipe.changes))
    return ";".join(parts)
