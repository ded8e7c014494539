"""The hyperparameters of a run, ``TrainConfig``: each field checked by its declaration."""

from collections.abc import Mapping
from dataclasses import dataclass, fields

from .settings import CONFIG_SETTINGS, SETTINGS


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters. Defaults are the seed's: ReLU, full-batch gradient descent, no L2 or
    L1, no dropout.

    Each field is checked against its declaration in ``layerlab.settings`` (its domain: what
    the core accepts, a superset of what the app's controls offer).
    """

    learning_rate: float = 0.0075  # α, the step size
    iterations: int = 3000  # budget of epochs (full-batch: updates)
    lambd: float = 0.0  # λ of the L2 penalty λ/(2m) Σ||W||²; 0 turns it off
    lambd_l1: float = 0.0  # λ₁ of the L1 penalty λ₁/m Σ|W|; 0 turns it off (both may be on)
    optimizer: str = "gd"  # key of OPTIMIZERS: "gd", "momentum", "adam"
    beta1: float = 0.9  # momentum's β, Adam's β1
    beta2: float = 0.999  # Adam's β2
    epsilon: float = 1e-8  # Adam's ε
    batch_size: int | None = None  # examples per mini-batch; None = the whole set
    keep_prob: float = 1.0  # dropout: chance to keep a hidden unit; 1 = no dropout
    decay_rate: float = 0.0  # learning rate α / (1 + decay_rate · epoch)
    init: str = "small"  # key of INITIALIZERS; "small" is the seed's randn·0.01
    activation: str = "relu"  # key of ACTIVATIONS: the hidden layers' g (the output: sigmoid)
    seed: int | None = None  # seeds init, shuffling and dropout: same seed, same run
    patience: int | None = None  # early stopping: epochs without a better validation cost

    def __post_init__(self) -> None:
        for spec in fields(self):
            CONFIG_SETTINGS[spec.name].check_domain(getattr(self, spec.name))

    @classmethod
    def from_settings(cls, settings: Mapping[str, object], **overrides) -> "TrainConfig":
        """The config of a run the app's settings describe (by setting name, as in a link).

        Each value goes through its declaration (``batch_size`` 0 is the full batch,
        ``weight_seed`` is ``seed``); the settings scripts alone know (``decay_rate``,
        ``beta1``, ...) are optional. ``overrides`` are config fields (``iterations=...``).
        """
        needed = [name for name, s in SETTINGS.items() if s.config_field and s.group]
        missing = [name for name in needed if name not in settings]
        if missing:
            raise ValueError(f"settings lack {', '.join(missing)}; pass every setting of the app")
        values = {
            s.config_field: s.config_value(settings[name])
            for name, s in SETTINGS.items()
            if s.config_field and name in settings
        }
        return cls(**{**values, **overrides})
