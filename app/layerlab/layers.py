"""Hidden-layer sizes as text ("8, 8, 4") and the +/- steps the per-layer controls take.

The text form is what the user types, what a shared link carries and what the settings
contract (``layerlab.settings``) declares, so parsing is strict and every rejection says
what was wrong and how to fix it. Pure Python: no NumPy needed.
"""

import re

MAX_HIDDEN_LAYERS = 8
MAX_UNITS = 256
MAX_TEXT_LENGTH = 200

# The widths the +/- buttons step through: fine steps while small, doubling-ish when large.
WIDTH_LADDER = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)

_SEPARATOR = re.compile(r"\s*,\s*|\s+")
_WHOLE_NUMBER = re.compile(r"[0-9]+")


def _shown(token: str) -> str:
    """A token as it may be quoted back to the user (short; escaping is the view's job)."""
    return repr(token if len(token) <= 12 else token[:12] + "…")


def parse_hidden_layers(text: str) -> list[int]:
    """Parse ``"8, 8, 4"`` into ``[8, 8, 4]``; ``"none"`` means no hidden layer.

    Commas and/or spaces separate the sizes. Raises ``ValueError`` with a message meant for
    the user (it may quote their text: escape it before showing it as HTML).
    """
    if not isinstance(text, str):
        raise TypeError(f"hidden layer sizes must be text like '8, 8', not {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"That is too long ({len(text)} characters): write sizes like 8, 8, 4.")
    stripped = text.strip()
    if not stripped:
        raise ValueError("Enter hidden layer sizes, e.g. 8, 8 (or 'none' for logistic regression).")
    if stripped.lower() == "none":
        return []
    tokens = _SEPARATOR.split(stripped)
    if len(tokens) > MAX_HIDDEN_LAYERS:
        raise ValueError(
            f"{len(tokens)} layers is too many: use at most {MAX_HIDDEN_LAYERS} hidden layers."
        )
    sizes = []
    for position, token in enumerate(tokens, start=1):
        if not token:
            raise ValueError(f"Layer {position} is empty: remove the extra comma.")
        if not _WHOLE_NUMBER.fullmatch(token):
            raise ValueError(
                f"Layer {position} is {_shown(token)}: use whole numbers such as 8, 8, 4."
            )
        size = int(token)
        if not 1 <= size <= MAX_UNITS:
            raise ValueError(
                f"Layer {position} has {size} units: use between 1 and {MAX_UNITS} units."
            )
        sizes.append(size)
    return sizes


def format_hidden_layers(sizes: list[int]) -> str:
    """The canonical text for a list of sizes: ``[8, 8]`` -> ``"8, 8"``, ``[]`` -> ``"none"``."""
    return ", ".join(str(size) for size in sizes) if sizes else "none"


def wider(units: int) -> int:
    """The next width up the ladder (stays at the maximum)."""
    return next((w for w in WIDTH_LADDER if w > units), MAX_UNITS)


def narrower(units: int) -> int:
    """The next width down the ladder (stays at 1)."""
    return next((w for w in reversed(WIDTH_LADDER) if w < units), 1)


def with_layer_added(sizes: list[int]) -> list[int]:
    """``sizes`` and one more hidden layer as wide as the last (4 units after none).

    Raises ``ValueError`` when there are ``MAX_HIDDEN_LAYERS`` already.
    """
    if len(sizes) >= MAX_HIDDEN_LAYERS:
        raise ValueError(f"At most {MAX_HIDDEN_LAYERS} hidden layers.")
    return [*sizes, sizes[-1] if sizes else 4]


def resized(sizes: list[int], index: int, step) -> list[int]:
    """``sizes`` with layer ``index`` (0-based) moved one ``step`` (``wider`` or
    ``narrower``) along the ladder."""
    return [step(n) if i == index else n for i, n in enumerate(sizes)]
