"""Weights from a file, checked against the current network before training goes on from
them (``LabState.load_params``)."""

from layerlab.serialization import validate_params


class ArchitectureMismatch(ValueError):
    """Weights from a file are for other hidden layers than the current network's."""


def hidden_sizes_for(params: dict, session, switch_architecture: bool = False) -> list[int]:
    """The hidden layers' sizes to use ``params`` (``W1, b1, ...``) with a
    ``TrainingSession``'s data.

    The file's layers must take the data's inputs; different hidden layers are refused
    (``ArchitectureMismatch``) unless ``switch_architecture``. Raises ``ValueError`` or
    ``TypeError`` naming the problem and what to do.
    """
    dims = validate_params(params)
    current, data = session.layer_dims, session.data
    if dims[0] != current[0] and data.planar:
        raise ValueError(
            f"These weights take {dims[0]} inputs but the network takes {current[0]} "
            f"(the input features {', '.join(data.input_names)}): choose the "
            f"{dims[0]} input features they were trained with first."
        )
    if dims[0] != current[0]:
        raise ValueError(
            f"These weights take {dims[0]} inputs but the data has {current[0]} features: "
            "load the data they were trained on first."
        )
    sizes = dims[1:-1]
    if sizes != session.layer_sizes and not switch_architecture:
        raise ArchitectureMismatch(
            f"The file's network is {' → '.join(map(str, dims))}, the current one "
            f"{' → '.join(map(str, current))}: switch to the file's layers to use it."
        )
    return sizes
