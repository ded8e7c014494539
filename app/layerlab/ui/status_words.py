"""What the page's status line says when a run ends or a setting starts a fresh one."""

from layerlab.settings import SETTINGS
from layerlab.ui.numbers import percent


def done_status(session) -> tuple[str, str]:
    """``(level, text)`` for a ``TrainingSession`` that used up its budget: its accuracies
    (when evaluated), or a warning with the diagnosis if the network collapsed."""
    latest, diagnosis = session.latest(), session.diagnosis()
    done = f"Done: {session.iteration} {session.unit}s"
    if diagnosis:
        return "warning", f"{done}, but the network collapsed: {diagnosis}"
    accuracy = ""  # a big network's latest accuracy may still be under way
    if latest["train_accuracy"] is not None and latest["test_accuracy"] is not None:
        accuracy = (
            f"; accuracy {percent(latest['train_accuracy'])} train, "
            f"{percent(latest['test_accuracy'])} test"
        )
    return "success", f"{done}{accuracy}."


def changed_words(names: set[str]) -> str:
    """The settings ``names`` in words: "Hidden layers, L2 λ changed"."""
    return ", ".join(sorted(SETTINGS[name].label for name in names)) + " changed"


def paused_status(session) -> tuple[str, str]:
    """``(level, text)`` for a ``TrainingSession`` paused by the user: where, and the
    diagnosis if the network collapsed."""
    paused, diagnosis = f"Paused at {session.unit} {session.iteration}", session.diagnosis()
    return ("warning", f"{paused}: {diagnosis}") if diagnosis else ("info", paused + ".")


def loaded_status(session) -> str:
    """What a ``TrainingSession`` started from a file's weights says: how good they are."""
    latest = session.latest()
    return (
        f"Loaded weights for {session.architecture}: accuracy "
        f"{percent(latest['train_accuracy'])} train, {percent(latest['test_accuracy'])} test. "
        "Play trains on from them."
    )
