"""The code of one run in the exported script: its settings as constants, and the data,
model, training and main sections, each made of the core's own code (``Bundle``) plus the
driver's few lines (``layerlab.export.driver``). ``layerlab.export.script`` puts it together.
"""

import dataclasses
import json
from collections.abc import Mapping

from layerlab import activations, steps
from layerlab.config import TrainConfig
from layerlab.datasets import DATASETS, standardization, stratified_split
from layerlab.edits import LIVE_SETTINGS as LIVE
from layerlab.export import reading
from layerlab.export.bundle import Bundle
from layerlab.export.csv_source import CsvSource
from layerlab.export.driver import (
    CHUNKED_UPDATE,
    FEATURES_LINE,
    FULL_BATCH_UPDATE,
    FULL_BATCH_UPDATE_MORE,
    KIND,
    MAIN,
    MINIBATCH_UPDATE,
    TRAIN,
)
from layerlab.features import expand
from layerlab.initializers import INITIALIZERS
from layerlab.network import Workspace, accuracy, backward, compute_cost, forward, initialize
from layerlab.optimizers import OPTIMIZERS, optimizer_arguments
from layerlab.settings import SETTINGS

LINE_LENGTH = 100  # the longest line the script should have (the project's ruff setting)
CHUNK_USE = "examples per pass through the network, as the app splits bigger batches"


def _literal(value: object) -> str:
    """``value`` as Python source; strings in double quotes (JSON's escapes are Python's)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


def _constant(name: str, value: object, comment: str = "") -> str:
    """``NAME = value  # comment``, the comment on the line above if that is too long."""
    line = f"{name} = {_literal(value)}"
    if not comment:
        return line
    if len(line) + len(comment) + 4 > LINE_LENGTH:
        return f"# {comment}\n{line}"
    return f"{line}  # {comment}"


@dataclasses.dataclass
class RunCode:
    """What one script repeats, and the parts of it that depend on the settings."""

    settings: Mapping[str, object]
    config: TrainConfig
    csv: CsvSource | None
    initial: str | None  # the weights file the run started from, if any
    changes: dict[int, dict[str, float]]  # iteration -> the settings changed then
    weight_edits: dict[int, list[tuple[str, int, int, float]]]  # iteration -> weights set
    chunk: int | None  # examples per pass when the app splits batches, else None
    features: tuple[str, ...] = ()  # the input features made of x1, x2; (): the columns

    @property
    def minibatch(self) -> bool:
        return bool(self.config.batch_size)

    @property
    def dropout(self) -> bool:
        return self.config.keep_prob < 1.0

    @property
    def uses_rng(self) -> bool:
        """Whether training draws random numbers (the data has its own seed)."""
        return self.initial is None or self.minibatch or self.dropout

    def changed(self, name: str) -> bool:
        return any(name in values for values in self.changes.values())

    @property
    def l2(self) -> bool:
        return bool(self.config.lambd) or self.changed("lambd")

    @property
    def l1(self) -> bool:
        return bool(self.config.lambd_l1) or self.changed("lambd_l1")

    @property
    def activation(self) -> str | None:
        """The name of the hidden activation's ``Activation`` in the script (``TANH``), or
        None for the seed's ReLU (the core's default: no argument passes it)."""
        key = self.config.activation
        if key == "relu":
            return None
        name = key.upper()
        assert getattr(activations, name) is activations.ACTIVATIONS[key], key
        return name

    def _penalties(self, live: list[str]) -> tuple[str, str | None]:
        """How ``train`` spells λ and λ₁ (None: no L1): a live variable or a constant."""
        lambd = "lambd" if "lambd" in live else "LAMBD" if self.l2 else "0.0"
        lambd_l1 = "lambd_l1" if "lambd_l1" in live else "LAMBD_L1" if self.l1 else None
        return lambd, lambd_l1

    # -- the settings block ---------------------------------------------------------------
    def constants(self, sizes: list[int], print_every: int, params_file: str | None) -> str:
        config, csv = self.config, self.csv
        lines = ["# -- settings, as in the app ".ljust(92, "-")]
        if csv:
            lines += [
                _constant("CSV_FILE", csv.file_name, "put the file next to this script"),
                _constant("LABEL_COLUMN", csv.label_column, "a name, or an index (-1: the last)"),
                _constant("HAS_HEADER", csv.has_header),
                _constant("DELIMITER", csv.delimiter),
            ]
            if csv.label_map is not None:
                lines.append(_constant("LABEL_MAP", dict(csv.label_map), "label text -> 0/1"))
        else:
            lines += [self._setting(name) for name in ("dataset", "n_points", "noise")]
        lines.append(self._setting("test_ratio"))
        if self.features:
            # Not FEATURES: that is the registry expand reads, copied below.
            use = SETTINGS["features"].help
            lines.append(_constant("INPUT_FEATURES", list(self.features), use))
        seed_use = "seeds the train/test split" if csv else SETTINGS["data_seed"].help
        lines.append(_constant("DATA_SEED", int(self.settings["data_seed"]), seed_use))
        layers_use = "units per hidden layer; the output is 1 sigmoid unit"
        lines.append(_constant("HIDDEN_LAYERS", sizes, layers_use))
        if self.initial is not None:
            start = "the weights this run started from: put the file next to this script"
            lines.append(_constant("INITIAL_PARAMS", self.initial, start))
        if self.uses_rng:
            lines.append(_constant("WEIGHT_SEED", config.seed, self._weight_seed_use()))
        lines += [self._setting("learning_rate"), self._setting("iterations")]
        if config.decay_rate:
            lines.append(self._setting("decay_rate"))
        if self.l2:
            lines.append(self._setting("lambd"))
        if self.l1:
            lines.append(self._setting("lambd_l1"))
        if self.dropout:
            lines.append(self._setting("keep_prob"))
        if self.minibatch:
            lines.append(self._setting("batch_size"))
        if self.chunk:
            lines.append(_constant("CHUNK", self.chunk, CHUNK_USE))
        lines += [self._setting(field) for field in optimizer_arguments(config.optimizer)]
        if self.changes:
            lines.append(_constant("CHANGES", self.changes, "iteration -> settings changed then"))
        if self.weight_edits:
            comment = "iteration -> weights set by hand then"
            lines.append(_constant("WEIGHT_EDITS", self.weight_edits, comment))
        lines += [
            _constant("PRINT_EVERY", print_every),
            _constant("PARAMS_FILE", params_file, "the trained W1, b1, ... (None: not saved)"),
        ]
        return "\n".join(lines)

    def _setting(self, name: str) -> str:
        """The constant of setting ``name``, commented with its declaration's help."""
        setting = SETTINGS[name]
        field = setting.config_field
        value = getattr(self.config, field) if field else self.settings[name]
        return _constant(setting.constant, value, setting.help)

    def _weight_seed_use(self) -> str:
        uses = ["initial weights"] if self.initial is None else []
        uses += ["batch shuffles"] if self.minibatch else []
        uses += ["dropout masks"] if self.dropout else []
        return "seeds the " + ", ".join(uses)

    # -- the sections ---------------------------------------------------------------------
    def data(self, bundle: Bundle) -> list[str]:
        if self.csv:
            parts = bundle.take(reading.read_table)
            label_map = "LABEL_MAP" if self.csv.label_map is not None else "None"
            loader = (
                "def load_data():\n"
                '    """X (n_x, m), Y (1, m) from CSV_FILE, read as the app read it."""\n'
                f"    return read_table(CSV_FILE, LABEL_COLUMN, HAS_HEADER, DELIMITER, {label_map})"
            )
        else:
            generator = DATASETS[self.settings["dataset"]]
            parts = bundle.take(generator)
            loader = (
                "def load_data():\n"
                '    """X (2, N_POINTS), Y (1, N_POINTS): the data, generated from DATA_SEED."""\n'
                f"    rng = np.random.default_rng(DATA_SEED)\n"
                f"    return {generator.__name__}(N_POINTS, NOISE, rng)"
            )
        features = bundle.take(expand) if self.features else []
        return [*parts, loader, *bundle.take(stratified_split, standardization), *features]

    def model(self, bundle: Bundle) -> list[str]:
        start = reading.load_params if self.initial else initialize
        starters = [start] if self.initial else [start, INITIALIZERS[self.config.init]]
        optimizer = OPTIMIZERS[self.config.optimizer]
        parts = bundle.take(*starters, Workspace, forward, compute_cost, backward, optimizer)
        if self.activation:  # forward and backward are given it: ACTIVATION
            parts += bundle.take(("layerlab.activations", self.activation))
            parts.append(f"ACTIVATION = {self.activation}  # {SETTINGS['activation'].help}")
        return parts

    def training(self, bundle: Bundle) -> list[str]:
        pieces = [steps.DivergenceError, steps.Dropout] if self.dropout else []
        if self.minibatch:
            update = [steps.minibatch_epoch_steps, steps.run_steps]
        elif self.chunk:
            update = [steps.gradient_update_steps, steps.run_steps]
        else:
            update = [steps.gradient_update]
        return [*bundle.take(*pieces, steps.DivergenceError, *update), self._train_function()]

    def main(self, bundle: Bundle) -> list[str]:
        live = self._live_penalties()
        lambd, lambd_l1 = self._penalties(live)
        final = ""
        if self.l2 or self.l1:
            final = f", params, {lambd}" + (f", lambd_l1={lambd_l1}" if lambd_l1 else "")
        main = MAIN.format(
            returned=", ".join(["params", "_", *live]),
            final_cost=final,
            features=FEATURES_LINE if self.features else "",
            activation=", activation=ACTIVATION" if self.activation else "",
        )
        return [*bundle.take(accuracy), main]

    def _live_penalties(self) -> list[str]:
        """The penalties changed during the run: ``train`` returns their last values."""
        return [name for name in ("lambd", "lambd_l1") if self.changed(name)]

    def _train_function(self) -> str:
        config, minibatch = self.config, self.minibatch
        unit = "epoch" if minibatch else "iteration"
        setup = ["rng = np.random.default_rng(WEIGHT_SEED)  # the one random stream"]
        setup = setup if self.uses_rng else []
        if self.initial:
            setup.append("params = load_params(INITIAL_PARAMS, layer_dims)  # nothing drawn")
        else:
            initializer = INITIALIZERS[config.init].__name__
            setup.append(f"params = initialize(layer_dims, {initializer}, rng)")
        name = OPTIMIZERS[config.optimizer].__name__
        arguments = ", ".join(field.upper() for field in optimizer_arguments(config.optimizer))
        setup += [
            f"optimizer = {name}({arguments})",
            "workspace = Workspace()  # the arrays forward and backward reuse",
        ]
        if self.dropout:
            setup.append("draw_masks = Dropout(layer_dims, KEEP_PROB, rng)")
        live = [name for name in LIVE if self.changed(name)]
        setup += [f"{name} = {name.upper()}" for name in live]
        changes = ""
        if live:
            changes = "        if i in CHANGES:  # changed at this iteration during the run\n"
            changes += "".join(
                f'            {name} = CHANGES[i].get("{name}", {name})\n' for name in live
            )
        if self.weight_edits:
            changes += (
                "        for key, row, column, value in WEIGHT_EDITS.get(i, ()):  # set by hand\n"
                "            params[key][row, column] = value\n"
            )
        rate = "learning_rate" if "learning_rate" in live else "LEARNING_RATE"
        decay = ""
        if config.decay_rate:
            decay = f"        rate = {rate} / (1.0 + DECAY_RATE * i)\n"
            rate = "rate"
        lambd, lambd_l1 = self._penalties(live)
        arguments = [f"lambd_l1={lambd_l1}"] if lambd_l1 else []
        arguments += ["activation=ACTIVATION"] if self.activation else []
        indent = "\n" + " " * (16 if not (minibatch or self.chunk) else 20)
        extra = "".join(f"{indent}{argument}," for argument in arguments)
        if minibatch:
            masks = "draw_masks" if self.dropout else "None"
            chunk = "\n                    chunk=CHUNK," if self.chunk else ""
            update = MINIBATCH_UPDATE.format(
                rate=rate, lambd=lambd, extra=extra, chunk=chunk, masks=masks
            )
        elif self.chunk:
            masks = "draw_masks" if self.dropout else "None"
            update = CHUNKED_UPDATE.format(rate=rate, lambd=lambd, extra=extra, masks=masks)
        else:
            masks = "masks" if self.dropout else "None"
            template = FULL_BATCH_UPDATE_MORE if extra else FULL_BATCH_UPDATE
            update = template.format(rate=rate, lambd=lambd, extra=extra, masks=masks)
            if self.dropout:
                update = "            masks = draw_masks(Y.shape[1])\n" + update
        return TRAIN.format(
            unit=unit,
            kind=KIND[minibatch],
            cost_doc=", the mean of its batches' costs" if minibatch else "",
            setup="\n".join("    " + line for line in setup),
            changes=changes,
            decay=decay,
            update=update,
            returned=", ".join(["params", "costs", *self._live_penalties()]),
        )
