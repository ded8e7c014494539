"""The lab's settings and the policy that keeps a training session in step with them.

``LabState`` is a ``param.Parameterized`` with no Panel import, so it runs and is tested
without a browser. Its parameters are the page's settings (``LabSettings``, made from the
declarations in ``layerlab.settings``) plus a few outputs (``running``, ``status``,
``messages``, ...). It owns one ``TrainingSession`` (``session``: the data, the trainer and
their read API) and replaces it when a setting asks for a fresh run. Views read
``state.session`` and call the verbs below (``apply``, ``play``, ``tick``, ...).

What a change does is declared per setting (``Setting.effect``): the dataset, its size and
noise draw new data; the test share and data seed re-split it (the user's own data stays);
the input features, architecture, initialization, hidden activation, optimizer, batch size,
dropout and weight seed start a fresh network on the same examples, split alike (and say so in
``status``); the learning rate, L2 λ and L1 λ₁ act at the next step (and are recorded, so that
a link replays the run); the budget and speed only pace it. Rejected
input never touches the current data or network: it only sets a message in ``messages``
under the setting's name.

The user's own data (an uploaded CSV, or points added and removed on the plot: ``points``)
replaces the generated dataset through ``use_data`` until a generator setting changes.
Weights from a file come in through ``load_params`` and training continues from them.
"""

import math

import param

from layerlab import DivergenceError, TrainConfig
from layerlab.layers import (
    format_hidden_layers,
    narrower,
    parse_hidden_layers,
    resized,
    wider,
    with_layer_added,
)
from layerlab.setting import parse_number, quoted
from layerlab.settings import MAX_ITERATIONS, MAX_SEED, SETTINGS, UI_SETTINGS, with_effect
from layerlab.ui.custom import CustomData
from layerlab.ui.data import LabData, lab_data_from_arrays, make_lab_data
from layerlab.ui.gradient_report import gradient_report
from layerlab.ui.loaded_weights import hidden_sizes_for
from layerlab.ui.parameters import LabSettings
from layerlab.ui.presets import PRESET_NOTES, PRESETS
from layerlab.ui.session import LIVE, Change, TrainingSession
from layerlab.ui.status_words import changed_words, done_status, loaded_status, paused_status

__all__ = ["PRESETS", "PRESET_NOTES", "LabState"]

GENERATOR_SETTINGS = with_effect("generator")  # new data: the user's own data is left
DATA_SETTINGS = with_effect("generator", "split")
KEPT_SETTINGS = with_effect("live", "pacing")  # never start a fresh network
TICK_BUDGET_S = 0.04  # training time per tick: keeps the page responsive
DIAGNOSE_AFTER = 100  # iterations before a collapsed network is called one while it trains


class LabState(LabSettings):
    """The settings of one lab session, its training session and what the page says."""

    running = param.Boolean(default=False, doc="Whether Play is on.")
    messages = param.Dict(default={}, doc="Friendly message per rejected setting.")
    status = param.String(default="", doc="What just happened (reset, divergence, done).")
    status_level = param.Selector(
        default="info", objects=["info", "success", "warning", "error"], doc="Tone of status."
    )
    generation = param.Integer(default=0, bounds=(0, None), doc="Bumped on every new session.")
    version = param.Integer(default=0, bounds=(0, None), doc="Bumped on every change to show.")
    gradcheck = param.Dict(default=None, allow_None=True, doc="Last gradient check, if any.")

    def __init__(self, changes: list[Change] = (), **params) -> None:
        super().__init__(**params)
        self._syncing = False  # True while the state itself mirrors the session's values
        self._diagnosed = False  # whether this session's collapse was reported already
        data = self._data_for(None).with_features(self.features)
        sizes = parse_hidden_layers(self.hidden_layers)
        self.session = TrainingSession(data, sizes, self._config(), changes=changes)
        self._stepping = False  # a Step's iteration is under way (a big one takes ticks)
        self.sweep = None  # the λ sweep's run (ui/sweep_run.py), once its view is opened
        self.status = f"{self.session.architecture} on the {self.dataset} data. Press Play."
        self.param.watch(self._on_settings, [*UI_SETTINGS])

    # -- what the page and a link read -------------------------------------------------------
    @property
    def done(self) -> bool:
        """Whether the iteration budget is used up."""
        return self.session.iteration >= self.iterations

    @property
    def busy(self) -> bool:
        """Whether ``tick`` has work: Play is on, a Step is under way, the session's
        predictions for the views are, or a λ sweep is."""
        sweeping = self.sweep is not None and self.sweep.busy
        return self.running or self._stepping or self.session.busy or sweeping

    def settings(self) -> dict[str, object]:
        """Every setting a link carries, by name, with the learning rate and λ the run
        started with (the changes since are ``session.changes``). Data with other than two
        columns has no input features to choose: their setting is left out."""
        values = {name: getattr(self, name) for name in SETTINGS if SETTINGS[name].in_link}
        if not self.session.data.planar:
            del values["features"]
        return {**values, **self.session.initial}

    # -- verbs ---------------------------------------------------------------------------------
    def apply(self, **settings) -> dict[str, str]:
        """Validate and set several settings at once (at most one rebuild).

        Valid values are set; each rejected one gets a friendly message in ``messages``
        and leaves the current value, data and network alone. Returns the rejections.
        """
        accepted, rejected = {}, {}
        for name, value in settings.items():
            try:
                accepted[name] = self._checked(name, value)
            except (TypeError, ValueError) as error:
                rejected[name] = str(error)
        kept = {k: v for k, v in self.messages.items() if k not in settings}
        self.messages = {**kept, **rejected}
        self.param.update(accepted)
        return rejected

    def apply_text(self, name: str, text: str) -> dict[str, str]:
        """Apply a number typed as ``text``, read strictly (plain decimals: ``12``, ``0.5``,
        ``1e-3``; not ``1_000``, ``0x10``, ``nan``); like ``apply``, returns the rejection."""
        setting, current = SETTINGS[name], getattr(self, name)
        try:
            value = setting.parse(text.strip())
        except ValueError as error:
            kept = setting.format(current)
            message = f"{setting.label}: {quoted(text)} {error}; kept {kept}."
            self._reject(name, message)
            return {name: message}
        return self.apply(**{name: value})

    def preview(self, name: str, value: object) -> None:
        """Validate ``value`` for ``name`` without applying it (live feedback while typing)."""
        try:
            self._checked(name, value)
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
            self._renew(reason="Preset")
        self._say("info", PRESET_NOTES[name])

    def play(self) -> None:
        """Start training in slices (the app calls ``tick`` periodically)."""
        if self._budget_used_up():
            return
        self._stepping = False
        self.running = True
        self._say("info", f"Training {self.session.architecture}: α, λ and λ₁ act at once.")

    def pause(self) -> None:
        """Stop after the current tick; the network and its progress stay."""
        if self.running:
            self.running = False
            self._say(*paused_status(self.session))

    def step(self) -> None:
        """Pause and advance exactly one iteration (finish the one in progress, if any): one
        unit of work now (a small iteration is one), the rest in the next ticks."""
        self.running = False
        if not self._budget_used_up():
            self._stepping = True
            self.tick(budget_s=0.0)

    def tick(self, budget_s: float = TICK_BUDGET_S) -> int:
        """One animation frame: up to ``steps_per_tick`` iterations within ``budget_s``
        while Play is on, or more of a Step's iteration, or else a slice of the predictions
        the views wait for; a λ sweep under way gets its share. Returns how many iterations
        finished."""
        if self.sweep is not None and self.sweep.busy:
            share = budget_s / 2 if self.running or self._stepping else budget_s
            self.sweep.tick(share)
            budget_s -= share
        if self.running:
            return self._advance(self.steps_per_tick, budget_s)
        if self._stepping:
            steps = self._advance(1, budget_s)
            if steps:
                self._stepping = False
            return steps
        if self.session.busy:
            self.session.advance(0, budget_s)
            self.version += 1
        return 0

    def reset(self) -> None:
        """Fresh weights from the same seed, trained with the settings as they are now (the
        changes made during the last run are forgotten: a link keeps them)."""
        self._renew("Reset")

    def regenerate(self) -> None:
        """Draw a new sample of the same dataset (next data seed)."""
        self.apply(data_seed=(self.data_seed + 1) % (MAX_SEED + 1))

    def add_layer(self) -> None:
        """Append a hidden layer as wide as the last one (4 units after none)."""
        try:
            self._set_layers(with_layer_added(self.session.layer_sizes))
        except ValueError as error:
            self._reject("hidden_layers", str(error))

    def remove_layer(self) -> None:
        """Drop the last hidden layer (none left is logistic regression)."""
        self._set_layers(self.session.layer_sizes[:-1])

    def widen(self, index: int) -> None:
        """Give hidden layer ``index`` (0-based) more units."""
        self._set_layers(resized(self.session.layer_sizes, index, wider))

    def narrow(self, index: int) -> None:
        """Give hidden layer ``index`` (0-based) fewer units."""
        self._set_layers(resized(self.session.layer_sizes, index, narrower))

    def set_weight(self, layer: int, row: int, column: int, text: str) -> str:
        """Set ``W[layer][row, column]`` to the number typed as ``text``; the change is
        recorded (a link and the script replay it). Returns "" or what was wrong."""
        name = f"W{layer}[{row}, {column}]"
        try:
            number = parse_number(text.strip())
        except ValueError as error:
            return f"{name}: {quoted(text)} {error}; kept the weight."
        try:
            value = self.session.set_weight(layer, row, column, number)
        except ValueError as error:
            return f"{name}: {error}; kept the weight."
        self._say(
            "info",
            f"Set W{layer}[{row}, {column}] to {value:g} at {self.session.unit} "
            f"{self.session.iteration}: the link and the script repeat it.",
        )
        self.version += 1
        return ""

    def run_gradient_check(self) -> None:
        """Compare backprop with finite differences on the current weights (no dropout)."""
        self.gradcheck = gradient_report(self.session, self.lambd, self.lambd_l1)

    def use_data(self, custom: CustomData, what: str | None = None) -> None:
        """Train on ``custom`` from now on, with a fresh network.

        Raises ``ValueError`` (and keeps the current data) if it cannot be split or trained.
        """
        n_x, m = custom.X.shape
        what = what or f"Data from {custom.name} ({m} examples, {n_x} features)"
        self._start(self._data_for(custom), self.session.layer_sizes, what, custom=custom)

    def use_generated(self) -> None:
        """Back to the generated dataset of the current settings."""
        what = f"Back to the {self.dataset} dataset"
        self._start(self._data_for(None), self.session.layer_sizes, what)

    def load_params(
        self, params: dict, switch_architecture: bool = False, file_name: str | None = None
    ) -> None:
        """Continue from ``params`` (``W1, b1, ...``): evaluate them now, train on with Play.

        The file's layers must match the data's features; different hidden layers are
        refused (``loaded_weights.ArchitectureMismatch``) unless ``switch_architecture``
        (then the hidden layers become the file's). ``file_name`` is the file they came
        from: the script reads them from it. Raises ``ValueError``/``TypeError`` naming the
        problem; nothing changes then.
        """
        sizes = hidden_sizes_for(params, self.session, switch_architecture)
        self._start(
            self.session.data,
            sizes,
            "Loaded weights",
            custom=self.session.custom,
            params=params,
            params_file=file_name,
        )
        self._sync({"hidden_layers": format_hidden_layers(sizes)})
        self._say("info", loaded_status(self.session))

    # -- the policy ----------------------------------------------------------------------------
    def _on_settings(self, *events: param.parameterized.Event) -> None:
        """React to settings changes: live ones go to the session, others rebuild it."""
        if self._syncing:
            return
        names = {event.name for event in events}
        for name in names & set(LIVE):
            self.session.change(name, getattr(self, name))
        if "iterations" in names and self.running and self.done:
            self.running = False
            self._say("info", f"Budget lowered to {self.iterations}: paused.")
        rebuild = names - KEPT_SETTINGS
        sizes = self.session.layer_sizes
        if "hidden_layers" in rebuild:
            try:
                sizes = parse_hidden_layers(self.hidden_layers)
                self.messages = {k: v for k, v in self.messages.items() if k != "hidden_layers"}
            except ValueError as error:
                self._reject("hidden_layers", str(error))
            if sizes == self.session.layer_sizes:  # rejected, or the same sizes written anew
                rebuild.discard("hidden_layers")
        if not rebuild:
            self.version += 1
            return
        try:
            if rebuild & DATA_SETTINGS:
                custom = None if rebuild & GENERATOR_SETTINGS else self.session.custom
                data = self._data_for(custom)
            else:
                data, custom = self.session.data, self.session.custom
            self._start(data, sizes, changed_words(rebuild), custom=custom)
        except (TypeError, ValueError) as error:
            self._say("error", f"Could not apply that ({error}); kept the previous network.")

    def _start(self, data: LabData, sizes: list[int], reason: str, **session) -> None:
        """A new session on ``data`` with the chosen input features (or raise and keep the
        old one), and say so."""
        data = data.with_features(self.features)
        self.session = TrainingSession(data, sizes, self._config(), **session)
        self._diagnosed = False
        self._stepping = False
        self.gradcheck = None
        self._say("info", f"{reason}: fresh network {self.session.architecture}.")
        self.generation += 1
        self.version += 1

    def _renew(self, reason: str) -> None:
        """The same data and layers, fresh weights from the seed."""
        session = self.session
        self._start(session.data, session.layer_sizes, reason, custom=session.custom)

    def _advance(self, k: int, budget_s: float = math.inf) -> int:
        """Train up to ``k`` iterations (at most to the budget); returns how many."""
        k = min(k, self.iterations - self.session.iteration)
        steps = 0
        try:
            steps, applied = self.session.advance(k, budget_s)
            self._sync({name: value for _, name, value in applied if name in LIVE})
        except DivergenceError as error:
            self.running = self._stepping = False
            self._say("error", f"Paused: {error}")
        session = self.session
        if self.done and self.running:
            self.running = False
            self._say(*done_status(session))
        elif self.running and not self._diagnosed and session.iteration >= DIAGNOSE_AFTER:
            diagnosis = session.diagnosis()
            if diagnosis:
                self._diagnosed = True
                self._say("warning", f"At {session.unit} {session.iteration}: {diagnosis}")
        self.version += 1
        return steps

    # -- helpers -------------------------------------------------------------------------------
    def _checked(self, name: str, value: object) -> object:
        """``value`` for setting ``name``, or a ``ValueError`` the user can act on."""
        if name not in UI_SETTINGS:
            raise ValueError(f"Unknown setting {quoted(name)}.")
        return SETTINGS[name].check(value, current=getattr(self, name))

    def _config(self) -> TrainConfig:
        # The budget is enforced here (it can change mid-run); the trainer gets the maximum.
        values = {name: getattr(self, name) for name in UI_SETTINGS}
        return TrainConfig.from_settings(values, iterations=MAX_ITERATIONS)

    def _data_for(self, custom: CustomData | None) -> LabData:
        """The generated dataset of the settings (``custom`` None), or ``custom`` split."""
        if custom is None:
            split = self.test_ratio, self.data_seed
            return make_lab_data(self.dataset, self.n_points, self.noise, *split)
        return lab_data_from_arrays(custom.X, custom.Y, self.test_ratio, self.data_seed)

    def _sync(self, values: dict[str, object]) -> None:
        """Show ``values`` the session already uses, without acting on them again."""
        self._syncing = True
        try:
            self.param.update(values)
        finally:
            self._syncing = False

    def _set_layers(self, sizes: list[int]) -> None:
        self.apply(hidden_layers=format_hidden_layers(sizes))

    def _budget_used_up(self) -> bool:
        """True (and say what to do) when no iteration is left in the budget."""
        if self.done:
            used_up = f"The budget of {self.iterations} iterations is used up"
            self._say("warning", f"{used_up}: raise Iterations to go on, or Reset.")
        return self.done

    def _reject(self, name: str, message: str) -> None:
        self.messages = {**self.messages, name: message}

    def _say(self, level: str, text: str) -> None:
        self.param.update(status=text, status_level=level)
