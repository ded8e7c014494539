"""Take your model away: download the weights (.npz, JSON) or a standalone script, and
upload weights back to evaluate them or train on from them.

``params_file`` and ``use_params_file`` are the verbs behind the buttons (tested without a
browser); ``model_card`` lays them out.
"""

import io
from html import escape

import panel as pn

from layerlab.export import export_script
from layerlab.layers import parse_hidden_layers
from layerlab.serialization import (
    params_from_json,
    params_from_npz_bytes,
    params_to_json,
    params_to_npz_bytes,
    validate_params,
)
from layerlab.ui.binding import Controls, html_pane
from layerlab.ui.loaded_weights import ArchitectureMismatch
from layerlab.ui.state import LabState

SCRIPT_FILE_NAME = "layerlab_run.py"
MAX_PARAMS_BYTES = 20_000_000


def params_file(state: LabState, kind: str) -> bytes:
    """The current weights as ``.npz`` (``kind="npz"``) or JSON (``kind="json"``) bytes."""
    weights = state.session.weights()
    if kind == "npz":
        return params_to_npz_bytes(weights)
    return params_to_json(weights).encode()


def read_params_file(raw: bytes, file_name: str) -> dict:
    """Weights from an uploaded ``.npz`` or ``.json`` file. Raises ``ValueError``."""
    if len(raw) > MAX_PARAMS_BYTES:
        raise ValueError(f"the file is over {MAX_PARAMS_BYTES // 1_000_000} MB")
    if not raw:
        raise ValueError(f"{file_name} is empty (0 bytes): choose a weights file you downloaded")
    if file_name.lower().endswith(".json"):
        params = params_from_json(raw)
    else:
        params = params_from_npz_bytes(raw)
    validate_params(params)
    return params


def use_params_file(
    state: LabState, raw: bytes, file_name: str, switch_architecture: bool = False
) -> None:
    """Load weights from a file into the lab (see ``LabState.load_params``)."""
    params = read_params_file(raw, file_name)
    state.load_params(params, switch_architecture=switch_architecture, file_name=file_name)


def script_text(state: LabState) -> str:
    """A standalone NumPy script repeating this run (``export_script``): from the seeds, or
    from the weights file the run started from, with the changes made during the run."""
    session = state.session
    csv = session.custom.csv if session.custom is not None else None
    return export_script(
        state.settings(),
        parse_hidden_layers(state.hidden_layers),
        csv=csv,
        initial_params_file=session.params_file,
        changes=session.changes,
    )


def script_file(state: LabState) -> tuple[bytes, str]:
    """The script's bytes, and what the user must know to run it ("" if nothing)."""
    script = script_text(state).encode()
    name = state.session.params_file
    if name is None:
        return script, ""
    return script, f"The script starts from the weights in {name}: put that file next to it."


class ParamsUpload(pn.viewable.Viewer):
    """Upload weights; offers to switch the architecture when the layers differ."""

    def __init__(self, state: LabState, **params) -> None:
        super().__init__(**params)
        self._state = state
        self._params: dict | None = None
        self._file_name = ""
        self.file = pn.widgets.FileInput(
            accept=".npz,.json", sizing_mode="stretch_width", css_classes=["ll-params-upload"]
        )
        self.switch = pn.widgets.Button(label="Switch to the file's layers", visible=False)
        self.message = html_pane(css_classes=["ll-params-msg"], margin=(0, 10))
        self.file.param.watch(self._on_file, ["value", "filename"])  # sent together
        self.switch.on_click(lambda _: self._load(switch_architecture=True))
        self._layout = pn.Column(
            self.file, self.switch, self.message, sizing_mode="stretch_width", margin=0
        )

    def __panel__(self) -> pn.Column:
        return self._layout

    def _on_file(self, *_) -> None:
        if not self.file.value and not self.file.filename:
            return
        self.switch.visible = False
        self._file_name = self.file.filename or "weights.npz"  # no name: read as .npz
        try:
            self._params = read_params_file(bytes(self.file.value or b""), self._file_name)
        except (TypeError, ValueError) as error:
            self._params = None
            self._say(f"Not loaded: {error}", ok=False)
            return
        self._load(switch_architecture=False)

    def _load(self, switch_architecture: bool) -> None:
        if self._params is None:
            return
        try:
            self._state.load_params(
                self._params, switch_architecture=switch_architecture, file_name=self._file_name
            )
        except (TypeError, ValueError) as error:
            self.switch.visible = isinstance(error, ArchitectureMismatch)
            self._say(f"Not loaded: {error}", ok=False)
        else:
            self.switch.visible = False
            self._say(self._state.status, ok=True)

    def _say(self, text: str, ok: bool) -> None:
        css = "ll-ok-text" if ok else "ll-msg-text"
        role = "status" if ok else "alert"
        self.message.object = f'<div class="{css}" role="{role}">{escape(text)}</div>'


def model_card(state: LabState, controls: Controls) -> pn.Card:
    """Downloads (weights, script) and the weights upload, in one sidebar card."""

    def download(label: str, filename: str, make_bytes) -> pn.widgets.FileDownload:
        return pn.widgets.FileDownload(
            callback=lambda: io.BytesIO(make_bytes()),
            filename=filename,
            label=label,
            sizing_mode="stretch_width",
            css_classes=[f"ll-download-{filename.replace('.', '-')}"],
        )

    note = html_pane(css_classes=["ll-script-note"], margin=(0, 10))

    def script() -> bytes:
        data, text = script_file(state)
        note.object = f'<div class="ll-hint" role="status">{escape(text)}</div>' if text else ""
        return data

    def forget(_) -> None:  # a new network: the note was about the last script
        note.object = ""

    state.param.watch(forget, "generation")
    hint = html_pane(
        '<div class="ll-hint">The weights use the article\'s layout (W1, b1, …). The script '
        "repeats this run with only NumPy, from the same seeds and data.</div>"
    )
    downloads = pn.Column(
        pn.Row(
            download("Weights .npz", "layerlab_params.npz", lambda: params_file(state, "npz")),
            download("Weights .json", "layerlab_params.json", lambda: params_file(state, "json")),
            sizing_mode="stretch_width",
            margin=0,
        ),
        download("Python script", SCRIPT_FILE_NAME, script),
        note,
        sizing_mode="stretch_width",
        margin=0,
    )
    upload = pn.Column(
        html_pane(
            '<div class="ll-hint">Load weights (.npz or .json) to evaluate or train on:</div>'
        ),
        ParamsUpload(state),
        sizing_mode="stretch_width",
        margin=0,
    )
    model = pn.Column(downloads, upload, sizing_mode="stretch_width", margin=0)
    return controls.card("Your model", {"model": model}, hint=hint)
