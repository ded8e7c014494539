"""Everything the lab knows: the settings, the data, the trainer, progress and messages.

``LabState`` is a ``param.Parameterized`` with no Panel import, so it runs and is tested
without a browser. Views read it and call its verbs (``apply``, ``play``, ``tick``, ...).

Settings follow the URL keys of the shared contract. Changing the data, the architecture,
the initialization, the optimizer, the batch size, dropout or the weight seed rebuilds the
network (and says so in ``status``); the learning rate and λ take effect at the next step.
Rejected input never touches the current data or network: it only sets a message in
``messages`` under the setting's name.

The user's own data (an uploaded CSV, or points added and removed on the plot) replaces the
generated dataset through ``use_data`` until a generator setting (dataset, points, noise)
changes; the data seed and test share re-split it. Weights from a file come in through
``load_params`` and training continues from them; the state remembers the file's name for
the script (``initial_params_file``) until a rebuild draws fresh weights.
"""

import functools
import math
import numbers
import time

import numpy as np
import param

from layerlab import (
    INITIALIZERS,
    OPTIMIZERS,
    DivergenceError,
    Trainer,
    forward,
    gradient_check,
    predict,
)
from layerlab.datasets import DATASETS
from layerlab.export import export_script, train_config
from layerlab.serialization import validate_params
from layerlab.ui.custom import CustomData
from layerlab.ui.data import LabData, lab_data_from_arrays, make_lab_data
from layerlab.ui.layers import (
    MAX_HIDDEN_LAYERS,
    format_hidden_layers,
    narrower,
    parse_hidden_layers,
    wider,
)
from layerlab.ui.presets import PRESET_NOTES, PRESETS

__all__ = ["PRESETS", "PRESET_NOTES", "SETTINGS", "LabState"]

MAX_SEED = 2**31 - 1
MAX_ITERATIONS = 100_000

# The settings a link carries, in the contract's order.
SETTINGS = (
    "dataset",
    "n_points",
    "noise",
    "test_ratio",
    "data_seed",
    "hidden_layers",
    "lambd",
    "learning_rate",
    "optimizer",
    "init",
    "batch_size",
    "keep_prob",
    "iterations",
    "weight_seed",
)
DATA_SETTINGS = frozenset({"dataset", "n_points", "noise", "test_ratio", "data_seed"})
GENERATOR_SETTINGS = frozenset({"dataset", "n_points", "noise"})  # leave the user's data
LIVE_SETTINGS = frozenset({"learning_rate", "lambd"})  # applied to the running trainer
PACING_SETTINGS = frozenset({"iterations", "steps_per_tick"})  # never reset the network

TICK_BUDGET_S = 0.03  # training time per tick: keeps the page responsive
GRADCHECK_MAX_PARAMS = 3000  # two forward passes per parameter
GRADCHECK_EXAMPLES = 64
GRADCHECK_PASS = 1e-6  # below: backprop and finite differences agree
GRADCHECK_FAIL = 1e-3  # above: something is wrong (between: borderline, e.g. ReLU kinks)


def _quiet_overflow(method):
    """Silence NumPy's overflow warnings in ``method``.

    Overflow on the way to NaN/inf is expected: the trainer reports it as divergence, and
    the last finite weights it keeps may still overflow on the plot's grid.
    """

    @functools.wraps(method)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return method(*args, **kwargs)

    return quiet


def _quoted(value: object) -> str:
    """``repr(value)``, cut short so that a huge input cannot flood a message."""
    text = repr(value)
    return text if len(text) <= 24 else text[:24] + "…"


class LabState(param.Parameterized):
    """Settings, data, trainer and progress of one lab session."""

    # -- data ------------------------------------------------------------------------------
    dataset = param.Selector(
        default="moons", objects=list(DATASETS), label="Dataset", doc="Which 2-D toy dataset."
    )
    n_points = param.Integer(
        default=300, bounds=(20, 2000), label="Points", doc="Points generated, train + test."
    )
    noise = param.Number(
        default=0.2, bounds=(0.0, 1.0), label="Noise", doc="Standard deviation of the jitter."
    )
    test_ratio = param.Number(
        default=0.3, bounds=(0.1, 0.5), label="Test share", doc="Share of points held out."
    )
    data_seed = param.Integer(
        default=0, bounds=(0, MAX_SEED), label="Data seed", doc="Seed of generation and split."
    )
    # -- network ---------------------------------------------------------------------------
    hidden_layers = param.String(
        default="8, 8",
        label="Hidden layers",
        doc="Units per hidden layer, e.g. '8, 8, 4'; 'none' for logistic regression.",
    )
    init = param.Selector(
        default="he", objects=list(INITIALIZERS), label="Initialization", doc="Weight init."
    )
    weight_seed = param.Integer(
        default=1, bounds=(0, MAX_SEED), label="Weight seed", doc="Seeds init, batches, dropout."
    )
    # -- training --------------------------------------------------------------------------
    learning_rate = param.Number(
        default=0.01, bounds=(1e-5, 10.0), label="Learning rate", doc="Step size α."
    )
    lambd = param.Number(
        default=0.0, bounds=(0.0, 10.0), label="L2 λ", doc="L2 strength; 0 turns it off."
    )
    optimizer = param.Selector(
        default="adam", objects=list(OPTIMIZERS), label="Optimizer", doc="Update rule."
    )
    batch_size = param.Integer(
        default=0, bounds=(0, 2000), label="Batch size", doc="Examples per update; 0 = all."
    )
    keep_prob = param.Number(
        default=1.0, bounds=(0.1, 1.0), label="Keep-prob", doc="Dropout keep-prob; 1 = none."
    )
    iterations = param.Integer(
        default=2000, bounds=(1, MAX_ITERATIONS), label="Iterations", doc="Budget of epochs."
    )
    steps_per_tick = param.Integer(
        default=20, bounds=(1, 200), label="Speed", doc="Iterations per animation tick."
    )
    # -- outputs: written by the state only ------------------------------------------------
    running = param.Boolean(default=False, doc="Whether Play is on.")
    messages = param.Dict(default={}, doc="Friendly message per rejected setting.")
    status = param.String(default="", doc="What just happened (reset, divergence, done).")
    status_level = param.Selector(
        default="info", objects=["info", "success", "warning", "error"], doc="Tone of status."
    )
    generation = param.Integer(default=0, bounds=(0, None), doc="Bumped on every rebuild.")
    version = param.Integer(default=0, bounds=(0, None), doc="Bumped on every change to show.")
    gradcheck = param.Dict(default=None, allow_None=True, doc="Last gradient check, if any.")

    def __init__(self, **params):
        super().__init__(**params)
        self.layer_sizes = parse_hidden_layers(self.hidden_layers)
        self.custom: CustomData | None = None  # the user's data, when it replaces the generator
        self.initial_params_file: str | None = None  # the weights file this run started from
        self.data: LabData = make_lab_data(*self._data_settings())
        self.trainer: Trainer = self._make_trainer(self.data, self.layer_sizes)
        self.metrics: dict[str, list] = {}
        self._clear_progress()
        self.status = f"Ready: {self.architecture}. Press Play."
        self.param.watch(self._on_settings, [*SETTINGS])

    # -- derived values --------------------------------------------------------------------
    @property
    def layer_dims(self) -> list[int]:
        """``[n_x, n_1, ..., 1]`` of the current network."""
        return [self.data.X_train.shape[0], *self.layer_sizes, 1]

    @property
    def architecture(self) -> str:
        """The current network in words, e.g. ``2 → 8 → 8 → 1 (105 parameters)``."""
        dims = " → ".join(str(n) for n in self.layer_dims)
        return f"{dims} ({self.n_params} parameters)"

    @property
    def n_params(self) -> int:
        """Number of weights and biases in the current network."""
        return sum(value.size for value in self.trainer.params.values())

    @property
    def done(self) -> bool:
        """Whether the iteration budget is used up."""
        return self.trainer.iteration >= self.iterations

    def settings(self) -> dict[str, object]:
        """Every setting a link carries, by name."""
        return {name: getattr(self, name) for name in SETTINGS}

    def script(self) -> str:
        """A standalone NumPy script repeating this run (``export_script``): from the seeds,
        or from the file ``initial_params_file`` when the weights were loaded from it."""
        csv = self.custom.csv if self.custom is not None else None
        return export_script(
            self.settings(), self.layer_sizes, csv=csv, initial_params_file=self.initial_params_file
        )

    @_quiet_overflow
    def test_probabilities(self) -> np.ndarray:
        """P(y=1) ``(m_test,)`` of the test examples (the training set if none is held out)."""
        X = self.data.X_test if self.data.X_test.shape[1] else self.data.X_train
        AL, _ = forward(X, self.trainer.params)  # (1, m)
        return np.asarray(AL)[0]

    def test_labels(self) -> np.ndarray:
        """Labels ``(m_test,)`` matching ``test_probabilities``."""
        Y = self.data.Y_test if self.data.Y_test.shape[1] else self.data.Y_train
        return Y[0]

    def latest(self) -> dict[str, float | int | None]:
        """The numbers of the readout: iteration, last costs, last accuracies."""
        history = self.trainer.history
        last = {"iteration": self.trainer.iteration}
        for key, values in (
            ("train_cost", history.costs),
            ("l2_cost", history.l2_costs),
            ("test_cost", history.val_costs),
            ("train_accuracy", self.metrics["train_accuracy"]),
            ("test_accuracy", self.metrics["test_accuracy"]),
        ):
            last[key] = values[-1] if values else None
        return last

    @_quiet_overflow
    def probabilities(self, resolution: int) -> np.ndarray:
        """Predicted P(y=1) on a ``(resolution, resolution)`` grid over the data's extent."""
        AL, _ = forward(self.data.grid(resolution), self.trainer.params)  # (1, res**2)
        return np.asarray(AL).reshape(resolution, resolution)

    @_quiet_overflow
    def mistakes(self) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks ``(m_train,)`` and ``(m_test,)`` of misclassified points."""
        params, data = self.trainer.params, self.data
        return (
            predict(data.X_train, params)[0] != data.Y_train[0],
            predict(data.X_test, params)[0] != data.Y_test[0],
        )

    def layer_table(self) -> list[dict]:
        """Per layer: shapes of W, b, Z, A for this batch size, #params, ‖W‖ and ‖dW‖."""
        m = self.data.X_train.shape[1]
        m_batch = min(self.batch_size, m) if self.batch_size else m
        grads = self.trainer.last_grads
        rows = []
        for l, units in enumerate(self.layer_dims[1:], start=1):
            W, b = self.trainer.params[f"W{l}"], self.trainer.params[f"b{l}"]
            rows.append(
                {
                    "layer": l,
                    "activation": "sigmoid" if l == len(self.layer_dims) - 1 else "relu",
                    "W": W.shape,
                    "b": b.shape,
                    "Z": (units, m_batch),
                    "params": W.size + b.size,
                    "norm_W": float(np.linalg.norm(W)),
                    "norm_dW": None if grads is None else float(np.linalg.norm(grads[f"dW{l}"])),
                }
            )
        return rows

    # -- verbs -----------------------------------------------------------------------------
    def apply(self, **settings) -> dict[str, str]:
        """Validate and set several settings at once (at most one rebuild).

        Valid values are set; each rejected one gets a friendly message in ``messages``
        and leaves the current value, data and network alone. Returns the rejections.
        """
        accepted, rejected = {}, {}
        for name, value in settings.items():
            try:
                accepted[name] = self._validated(name, value)
            except (TypeError, ValueError) as error:
                rejected[name] = str(error)
        kept = {k: v for k, v in self.messages.items() if k not in settings}
        self.messages = {**kept, **rejected}
        self.param.update(accepted)
        return rejected

    def preview(self, name: str, value: object) -> None:
        """Validate ``value`` for ``name`` without applying it (live feedback while typing)."""
        try:
            self._validated(name, value)
        except (TypeError, ValueError) as error:
            self._reject(name, str(error))
        else:
            self.messages = {k: v for k, v in self.messages.items() if k != name}

    def apply_preset(self, name: str) -> None:
        """Apply one of ``PRESETS`` (``"article"`` is the seed's exact configuration).

        Starts a fresh network even if the settings were already those, and says what to watch.
        """
        generation = self.generation
        self.apply(**PRESETS[name])
        if self.generation == generation:
            self.reset()
        self._say("info", PRESET_NOTES[name])

    def play(self) -> None:
        """Start training in slices (the app calls ``tick`` periodically)."""
        if self._budget_used_up():
            return
        self.running = True
        self._say("info", f"Training {self.architecture}: α and λ act at once.")

    def pause(self) -> None:
        """Stop after the current tick; the network and its progress stay."""
        if self.running:
            self.running = False
            self._say("info", f"Paused at iteration {self.trainer.iteration}.")

    def step(self) -> None:
        """Pause and advance exactly one iteration."""
        self.running = False
        if not self._budget_used_up():
            self._advance(1, budget_s=math.inf)

    def tick(self, budget_s: float = TICK_BUDGET_S) -> int:
        """One animation frame: up to ``steps_per_tick`` iterations within ``budget_s``."""
        if not self.running:
            return 0
        return self._advance(self.steps_per_tick, budget_s)

    def reset(self) -> None:
        """Fresh weights from the same seed: the same run again."""
        self._rebuild(self.data, self.layer_sizes, reason="Reset")

    def regenerate(self) -> None:
        """Draw a new sample of the same dataset (next data seed)."""
        self.apply(data_seed=(self.data_seed + 1) % (MAX_SEED + 1))

    def add_layer(self) -> None:
        """Append a hidden layer as wide as the last one (4 units after none)."""
        if len(self.layer_sizes) >= MAX_HIDDEN_LAYERS:
            self._reject("hidden_layers", f"At most {MAX_HIDDEN_LAYERS} hidden layers.")
            return
        last = self.layer_sizes[-1] if self.layer_sizes else 4
        self._set_layers([*self.layer_sizes, last])

    def remove_layer(self) -> None:
        """Drop the last hidden layer (none left is logistic regression)."""
        self._set_layers(self.layer_sizes[:-1])

    def widen(self, index: int) -> None:
        """Give hidden layer ``index`` (0-based) more units."""
        self._set_layers([wider(n) if i == index else n for i, n in enumerate(self.layer_sizes)])

    def narrow(self, index: int) -> None:
        """Give hidden layer ``index`` (0-based) fewer units."""
        sizes = [narrower(n) if i == index else n for i, n in enumerate(self.layer_sizes)]
        self._set_layers(sizes)

    def run_gradient_check(self) -> None:
        """Compare backprop with finite differences on the current weights (no dropout)."""
        if self.n_params > GRADCHECK_MAX_PARAMS:
            self.gradcheck = {
                "verdict": "skipped",
                "note": f"{self.n_params} parameters is too many to check quickly "
                f"(the check needs two forward passes per parameter): use a network with "
                f"at most {GRADCHECK_MAX_PARAMS}.",
            }
            return
        X = self.data.X_train[:, :GRADCHECK_EXAMPLES]
        Y = self.data.Y_train[:, :GRADCHECK_EXAMPLES]
        difference = gradient_check(self.trainer.params, X, Y, lambd=self.lambd)
        if difference < GRADCHECK_PASS:
            verdict = "pass"
        elif difference < GRADCHECK_FAIL:
            verdict = "borderline"
        else:
            verdict = "fail"
        self.gradcheck = {
            "verdict": verdict,
            "difference": difference,
            "note": f"at iteration {self.trainer.iteration}, λ = {self.lambd:g}, "
            f"{X.shape[1]} training examples, no dropout",
        }

    def use_data(self, custom: CustomData, what: str | None = None) -> None:
        """Train on ``custom`` from now on, with a fresh network.

        Raises ``ValueError`` (and keeps the current data) if it cannot be split or trained.
        """
        data = lab_data_from_arrays(custom.X, custom.Y, self.test_ratio, self.data_seed)
        m, n_x = custom.X.shape[1], custom.X.shape[0]
        what = what or f"Data from {custom.name} ({m} examples, {n_x} features)"
        previous, self.custom = self.custom, custom
        try:
            self._rebuild(data, self.layer_sizes, reason=what)
        except (TypeError, ValueError):
            self.custom = previous
            raise

    def use_generated(self) -> None:
        """Back to the generated dataset of the current settings."""
        data = make_lab_data(*self._data_settings())
        self.custom = None
        self._rebuild(data, self.layer_sizes, reason=f"Back to the {self.dataset} dataset")

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add the example ``(x, y)`` of class ``label`` (two-feature data only).

        The data changes, so the network starts afresh from its seed: the run stays one
        that a script can repeat from the data file.
        """
        if not self._editable():
            return
        X = np.hstack([self.data.X_all, [[float(x)], [float(y)]]])  # (2, m + 1)
        Y = np.hstack([self.data.Y_all, [[float(label)]]])  # (1, m + 1)
        self._use_drawn(X, Y, f"Added a point of class {label}")

    def remove_point(self, x: float, y: float) -> None:
        """Remove the example nearest to ``(x, y)`` on the plot (two-feature data only)."""
        if not self._editable():
            return
        X, Y = self.data.X_all, self.data.Y_all
        x0, x1, y0, y1 = self.data.extent
        scale = np.array([[x1 - x0], [y1 - y0]])  # (2, 1): distances as the square plot shows
        nearest = int(np.argmin(np.sum(((X - [[x], [y]]) / scale) ** 2, axis=0)))
        keep = np.arange(X.shape[1]) != nearest
        self._use_drawn(X[:, keep], Y[:, keep], f"Removed a point of class {int(Y[0, nearest])}")

    def load_params(
        self, params: dict, switch_architecture: bool = False, file_name: str | None = None
    ) -> None:
        """Continue from ``params`` (``W1, b1, ...``): evaluate them now, train on with Play.

        The file's layers must match the data's features; different hidden layers are
        refused unless ``switch_architecture`` (then the hidden layers become the file's).
        ``file_name`` is the file they came from: the script reads them from it.
        Raises ``ValueError``/``TypeError`` naming the problem; nothing changes then.
        """
        dims = validate_params(params)
        n_x = self.layer_dims[0]
        if dims[0] != n_x:
            raise ValueError(
                f"These weights take {dims[0]} inputs but the data has {n_x} features: "
                "load the data they were trained on first."
            )
        sizes = dims[1:-1]
        if sizes != self.layer_sizes:
            if not switch_architecture:
                raise ValueError(
                    f"The file's network is {' → '.join(map(str, dims))}, the current one "
                    f"{' → '.join(map(str, self.layer_dims))}: switch to the file's layers "
                    "to use it."
                )
            text = format_hidden_layers(sizes)
            self._validated("hidden_layers", text)
            self.hidden_layers = text  # rebuilds with fresh weights, replaced just below
        self._rebuild(self.data, sizes, reason="Loaded weights", params=params, file_name=file_name)
        latest = self.latest()
        self._say(
            "info",
            f"Loaded weights for {self.architecture}: accuracy {latest['train_accuracy']:.1%} "
            f"train, {latest['test_accuracy']:.1%} test. Play trains on from them.",
        )

    # -- internals -------------------------------------------------------------------------
    def _editable(self) -> bool:
        if self.data.n_features == 2:
            return True
        self._say("warning", "Points can be added by clicking only on two-feature data.")
        return False

    def _use_drawn(self, X: np.ndarray, Y: np.ndarray, what: str) -> None:
        names = self.custom.feature_names if self.custom else ("x1", "x2")
        classes = self.custom.classes if self.custom else ("0", "1")
        try:
            self.use_data(
                CustomData.drawn(X, Y, names, classes),
                what=f"{what} ({X.shape[1]} points; the link no longer holds them)",
            )
        except (TypeError, ValueError) as error:
            self._say("error", f"Could not change the points ({error}); kept the data.")

    def _data_settings(self) -> tuple:
        return self.dataset, self.n_points, self.noise, self.test_ratio, self.data_seed

    def _make_data(self, names: set[str]) -> tuple[LabData, CustomData | None]:
        """The data after settings ``names`` changed, and the user's data still in use."""
        custom = None if names & GENERATOR_SETTINGS else self.custom
        if custom is None:
            return make_lab_data(*self._data_settings()), None
        return lab_data_from_arrays(custom.X, custom.Y, self.test_ratio, self.data_seed), custom

    def _make_trainer(
        self, data: LabData, layer_sizes: list[int], params: dict | None = None
    ) -> Trainer:
        # The budget is enforced here (it can change mid-run); the trainer gets the maximum.
        config = train_config(self.settings(), iterations=MAX_ITERATIONS)
        dims = [data.X_train.shape[0], *layer_sizes, 1]
        return Trainer(
            data.X_train,
            data.Y_train,
            dims,
            config,
            X_val=data.X_test,
            Y_val=data.Y_test,
            params=params,
        )

    def _validated(self, name: str, value: object) -> object:
        """``value`` coerced for setting ``name``, or a ``ValueError`` the user can act on."""
        if name not in (*SETTINGS, "steps_per_tick"):
            raise ValueError(f"Unknown setting {_quoted(name)}.")
        parameter = self.param[name]
        label = parameter.label
        if isinstance(parameter, param.Selector):
            if value not in parameter.objects:
                choices = ", ".join(parameter.objects)
                raise ValueError(f"{label} must be one of {choices} (got {_quoted(value)}).")
            return value
        if isinstance(parameter, param.String):
            if not isinstance(value, str):
                raise TypeError(f"{label} must be text (got {_quoted(value)}).")
            parse_hidden_layers(value)
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{label} must be a number (got {_quoted(value)}).")
        if isinstance(parameter, param.Integer):
            if not (isinstance(value, numbers.Integral) or float(value).is_integer()):
                raise ValueError(f"{label} must be a whole number (got {_quoted(value)}).")
            value = int(value)
        elif not math.isfinite(value):
            raise ValueError(f"{label} must be a finite number (got {_quoted(value)}).")
        low, high = parameter.bounds
        if not low <= value <= high:
            raise ValueError(
                f"{label} must be between {low:g} and {high:g} (got {_quoted(value)}); "
                f"kept {getattr(self, name):g}."
            )
        return value if isinstance(parameter, param.Integer) else float(value)

    def _on_settings(self, *events: param.parameterized.Event) -> None:
        """React to settings changes: live ones go to the trainer, others rebuild."""
        names = {event.name for event in events}
        for name in names & LIVE_SETTINGS:
            setattr(self.trainer, name, getattr(self, name))
        if "iterations" in names and self.running and self.done:
            self.running = False
            self._say("info", f"Budget lowered to {self.iterations}: paused.")
        rebuild = names - LIVE_SETTINGS - PACING_SETTINGS
        if not rebuild:
            self.version += 1
            return
        sizes = self.layer_sizes
        if "hidden_layers" in rebuild:
            try:
                sizes = parse_hidden_layers(self.hidden_layers)
                self.messages = {k: v for k, v in self.messages.items() if k != "hidden_layers"}
            except ValueError as error:
                self._reject("hidden_layers", str(error))
            if sizes == self.layer_sizes:  # rejected, or the same sizes written differently
                rebuild.discard("hidden_layers")
            if not rebuild:
                return
        previous = self.custom
        try:
            if rebuild & DATA_SETTINGS:
                data, self.custom = self._make_data(rebuild)
            else:
                data = self.data
            self._rebuild(data, sizes, reason=self._changed_words(rebuild))
        except (TypeError, ValueError) as error:
            self.custom = previous
            self._say("error", f"Could not apply that ({error}); kept the previous network.")

    def _changed_words(self, names: set[str]) -> str:
        return ", ".join(sorted(self.param[name].label for name in names)) + " changed"

    def _rebuild(
        self,
        data: LabData,
        layer_sizes: list[int],
        reason: str,
        params: dict | None = None,
        file_name: str | None = None,
    ) -> None:
        """Swap in new data and a fresh network (or ``params`` from the file ``file_name``),
        or raise and keep the old."""
        trainer = self._make_trainer(data, layer_sizes, params)
        self.data, self.layer_sizes, self.trainer = data, layer_sizes, trainer
        self.initial_params_file = file_name if params is not None else None
        self._clear_progress()
        self._say("info", f"{reason}: fresh network {self.architecture}.")
        self.generation += 1
        self.version += 1

    def _clear_progress(self) -> None:
        self.metrics = {"iteration": [], "train_accuracy": [], "test_accuracy": []}
        self.gradcheck = None
        self._record_metrics()

    def _set_layers(self, sizes: list[int]) -> None:
        self.apply(hidden_layers=format_hidden_layers(sizes))

    @_quiet_overflow
    def _advance(self, k: int, budget_s: float) -> int:
        """Train up to ``k`` iterations (stopping early past ``budget_s``); returns how many."""
        k = min(k, self.iterations - self.trainer.iteration)
        start, steps = time.perf_counter(), 0
        try:
            while steps < k:
                self.trainer.step(1)
                steps += 1
                if time.perf_counter() - start > budget_s:
                    break
        except DivergenceError as error:
            self.running = False
            self._say("error", f"Paused: {error}")
        self._record_metrics()
        if self.done and self.running:
            self.running = False
            latest = self.latest()
            self._say(
                "success",
                f"Done: {self.trainer.iteration} iterations; accuracy "
                f"{latest['train_accuracy']:.1%} train, {latest['test_accuracy']:.1%} test.",
            )
        self.version += 1
        return steps

    def _record_metrics(self) -> None:
        """Accuracies of the current weights, at most once per iteration."""
        if self.metrics["iteration"] and self.metrics["iteration"][-1] == self.trainer.iteration:
            return
        wrong_train, wrong_test = self.mistakes()
        self.metrics["iteration"].append(self.trainer.iteration)
        self.metrics["train_accuracy"].append(1.0 - float(wrong_train.mean()))
        self.metrics["test_accuracy"].append(1.0 - float(wrong_test.mean()))

    def _budget_used_up(self) -> bool:
        """True (and say what to do) when no iteration is left in the budget."""
        if self.done:
            self._say(
                "warning",
                f"The budget of {self.iterations} iterations is used up: "
                "raise Iterations to go on, or Reset.",
            )
        return self.done

    def _reject(self, name: str, message: str) -> None:
        self.messages = {**self.messages, name: message}

    def _say(self, level: str, text: str) -> None:
        self.param.update(status=text, status_level=level)
