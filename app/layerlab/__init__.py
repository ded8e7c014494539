"""Layer Lab: an L-layer neural network for binary classification in pure NumPy.

The core (this package's top-level modules) imports only NumPy; the user
interface lives in ``layerlab.ui`` and is imported only when asked for.
"""

from .activations import ACTIVATIONS
from .config import TrainConfig
from .gradcheck import gradient_check
from .initializers import INITIALIZERS
from .network import backward, compute_cost, forward, init_params, predict, update_params
from .optimizers import OPTIMIZERS
from .records import FitResult, History
from .training import DivergenceError, Trainer, fit

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "OPTIMIZERS",
    "DivergenceError",
    "FitResult",
    "History",
    "TrainConfig",
    "Trainer",
    "backward",
    "compute_cost",
    "fit",
    "forward",
    "gradient_check",
    "init_params",
    "predict",
    "update_params",
]
