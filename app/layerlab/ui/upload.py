"""Bring your own data: a CSV upload with a label-column choice and a label mapping.

``use_csv`` is the whole upload as a verb on ``LabState`` (tested without a browser):
``load_csv`` validates the file (messages name the row and column), then ``use_data``
swaps it in. A rejected file leaves the previous data and network untouched.
``peek_csv`` reads just enough of a file to offer its columns and, when the label column
holds two classes other than 0/1, the two ways to map them.
"""

import csv
import io
from dataclasses import dataclass
from html import escape

import panel as pn

from layerlab.csvdata import load_csv
from layerlab.ui.binding import html_pane
from layerlab.ui.custom import DATA_FILE_NAME, CustomData, to_csv_text
from layerlab.ui.state import LabState

MAX_CSV_BYTES = 1_000_000  # the worker trains on it: keep it to a classroom-sized table
NATURAL_LABELS = {"0", "1", "0.0", "1.0", "true", "false"}


@dataclass(frozen=True)
class CsvPeek:
    """A CSV's column names (``column j`` without a header) and each column's distinct cells."""

    names: list[str]
    distinct: list[list[str]]  # per column, in order of first appearance (at most 3 kept)

    def label_maps(self, column: int) -> list[dict[str, int]]:
        """The two ways to map a column of two non-0/1 labels to 0/1 (none otherwise)."""
        labels = self.distinct[column]
        if len(labels) != 2 or {label.lower() for label in labels} <= NATURAL_LABELS:
            return []
        a, b = sorted(labels)
        return [{a: 0, b: 1}, {b: 0, a: 1}]


def peek_csv(raw: bytes) -> CsvPeek | None:
    """Columns of ``raw`` (UTF-8 CSV; comma, semicolon or tab), or None if unreadable."""
    text = raw.decode("utf-8-sig", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    delimiter = max((",", ";", "\t"), key=lines[0].count)  # ties go to the comma
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(lines, delimiter=delimiter)]
    except csv.Error:
        return None
    first = rows[0]
    header = any(cell and not _is_number(cell) for cell in first[:-1])
    names = [cell or f"column {j + 1}" for j, cell in enumerate(first)] if header else None
    names = names or [f"column {j + 1}" for j in range(len(first))]
    distinct: list[list[str]] = [[] for _ in names]
    for row in rows[1:] if header else rows:
        for j, cell in enumerate(row[: len(names)]):
            if cell and cell not in distinct[j] and len(distinct[j]) < 3:
                distinct[j].append(cell)
    return CsvPeek(names, distinct)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def use_csv(
    state: LabState,
    raw: bytes,
    file_name: str,
    label_column: int | None = None,
    label_map: dict | None = None,
) -> str:
    """Validate ``raw`` and train on it; returns what is used now. Raises ``ValueError``."""
    data = load_csv(raw, label_column=label_column, label_map=label_map, max_bytes=MAX_CSV_BYTES)
    state.use_data(CustomData.from_csv(file_name, data, label_column, label_map))
    zero, one = data.classes
    return (
        f"Using {file_name}: {data.X.shape[1]} examples, {data.X.shape[0]} features; "
        f"label {data.label_name!r}: 0 = {zero!r}, 1 = {one!r}."
    )


def _mapping_label(mapping: dict[str, int]) -> str:
    return ", ".join(f"'{label}' → {value}" for label, value in mapping.items())


class DataUpload(pn.viewable.Viewer):
    """The "Your data" card: upload, label column, label mapping, messages, way back."""

    def __init__(self, state: LabState, **params) -> None:
        super().__init__(**params)
        self._state = state
        self._raw, self._name, self._peek = b"", "", None
        self._quiet = False  # True while the code itself sets the selects
        self.file = pn.widgets.FileInput(
            accept=".csv,text/csv",
            multiple=False,
            sizing_mode="stretch_width",
            css_classes=["ll-csv-upload"],
        )
        self.label = pn.widgets.Select(
            label="Label column", visible=False, css_classes=["ll-label-column"]
        )
        self.mapping = pn.widgets.Select(
            label="Map the labels", visible=False, css_classes=["ll-label-map"]
        )
        self.message = html_pane(css_classes=["ll-upload-msg"], margin=(0, 10))
        self.back = pn.widgets.Button(label="Back to generated data", visible=False)
        self.download = pn.widgets.FileDownload(
            callback=self._data_file,
            filename=DATA_FILE_NAME,
            label="Download the data (.csv)",
            visible=False,
            sizing_mode="stretch_width",
        )
        # Both at once: the page sends the file's bytes and name together, in one update.
        self.file.param.watch(self._on_file, ["value", "filename"])
        self.label.param.watch(self._on_label, "value")
        self.mapping.param.watch(self._on_mapping, "value")
        self.back.on_click(lambda _: state.use_generated())
        state.param.watch(self._show_custom, "generation")
        hint = html_pane(
            '<div class="ll-hint">Or your own CSV: numeric feature columns and a two-class '
            f"label column (at most {MAX_CSV_BYTES // 1000:,} kB).</div>"
        )
        self._layout = pn.Column(
            hint,
            self.file,
            self.label,
            self.mapping,
            self.message,
            pn.Row(self.back, sizing_mode="stretch_width", margin=0),
            self.download,
            sizing_mode="stretch_width",
            margin=0,
        )

    def __panel__(self) -> pn.Column:
        return self._layout

    def _on_file(self, *_) -> None:
        if not self.file.value:  # nothing, or a file of 0 bytes (the browser sends its name)
            if self.file.filename:
                name = self.file.filename
                self._say(f"{name} is empty (0 bytes): choose a CSV with a row per example.", False)
            return
        self._raw, self._name = bytes(self.file.value), self.file.filename or "upload.csv"
        self._peek = peek_csv(self._raw) if len(self._raw) <= MAX_CSV_BYTES else None
        names = self._peek.names if self._peek else []
        self._quiet = True  # one load below, not one per select change
        try:
            self.label.options = {name: j for j, name in enumerate(names)}
            self.label.value = len(names) - 1 if names else None
            self._offer_mappings()
        finally:
            self._quiet = False
        self.label.visible = bool(names)
        self._load()

    def _on_label(self, _) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            self._offer_mappings()
        finally:
            self._quiet = False
        self._load()

    def _on_mapping(self, _) -> None:
        if not self._quiet:
            self._load()

    def _offer_mappings(self) -> None:
        column = self.label.value
        maps = self._peek.label_maps(column) if self._peek and column is not None else []
        options = {"Choose a mapping…": None} | {_mapping_label(m): m for m in maps}
        self.mapping.options = options
        self.mapping.value = None
        self.mapping.visible = bool(maps)

    def _load(self) -> None:
        """Validate and use the file with the chosen label column and mapping."""
        if not self._raw:
            return
        try:
            text = use_csv(self._state, self._raw, self._name, self.label.value, self.mapping.value)
        except (TypeError, ValueError) as error:
            hint = " Choose a mapping above." if self.mapping.visible else ""
            self._say(f"{self._name} was not used: {error}.{hint} The previous data stays.", False)
        else:
            self._say(text, True)

    def _say(self, text: str, ok: bool) -> None:
        css = "ll-ok-text" if ok else "ll-msg-text"
        role = "status" if ok else "alert"
        self.message.object = f'<div class="{css}" role="{role}">{escape(text)}</div>'

    def _show_custom(self, *_) -> None:
        custom = self._state.session.custom
        self.back.visible = custom is not None
        self.download.visible = custom is not None and custom.csv.file_name == DATA_FILE_NAME

    def _data_file(self) -> io.BytesIO:
        """The data in use, hand-edited points included, as the script reads it."""
        data, custom = self._state.session.data, self._state.session.custom
        names = custom.feature_names if custom else ("x1", "x2")
        return io.BytesIO(to_csv_text(data.X_all, data.Y_all, names).encode())
