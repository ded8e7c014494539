"""Per-iteration time of ``fit`` (full-batch gradient descent, float64) against
PyTorch eager, scikit-learn's MLPClassifier and the bare NumPy arithmetic.

    .venv/bin/python bench/core.py              # all cases, medians of 7
    .venv/bin/python bench/core.py --case 0     # one case (index into CASES)
    .venv/bin/python bench/core.py --threads 1 --clock cpu   # on a busy machine

Where OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set (a workaround for old
OpenBLAS builds on some processors), they slow NumPy's current OpenBLAS: run
the benchmark with both unset in that one command,
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/core.py``,
and never change them for tests or CI. The header names the BLAS kernel used.
On a machine shared with other jobs, two-thread BLAS waits on descheduled
threads; ``--threads 1 --clock cpu`` then measures each contender's own work.

One iteration = forward, cost, backward and update over all m examples. Each
contender is built once per case and warmed up by one iteration; then the
contenders are timed in turn, N iterations each, over and over, and the table
quotes the median per-iteration time, because shared machines are noisy.

- ``fit``: ``Trainer.step(N)``, the loop ``fit`` runs (fit = Trainer + step).
- ``torch``: the same forward/backward/update written with torch ops (no
  autograd), float64, ``torch.set_num_threads`` = NumPy's BLAS threads.
- ``sklearn``: ``MLPClassifier(solver="sgd", batch_size=m, momentum=0,
  alpha=λ)``, ``fit`` with ``max_iter=N`` on warm weights, tol disabled.
- ``bare``: the seed's NumPy expressions of one iteration written inline on
  lists of arrays (allocating as such code does), no checks, no history.
"""

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
import threadpoolctl

from layerlab import TrainConfig, Trainer, init_params

CASES = [  # (layer_dims, m, iterations N per measurement)
    ([2, 8, 8, 1], 500, 200),
    ([20, 64, 64, 1], 4000, 10),
    ([12288, 20, 7, 5, 1], 209, 10),
    ([256, 512, 512, 1], 8192, 2),
]
LEARNING_RATE = 0.0075
LAMBD = 0.1
# BLAS and OpenMP worker threads busy-wait ~0.1 s after their last job: let the previous
# contender's threads fall asleep so that they do not take a core from the next one.
SETTLE = 0.2

Runner = Callable[[int], object]  # run(n): n training iterations


def make_data(n_x: int, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal ``X (n_x, m)`` and labels ``Y (1, m)`` of a random hyperplane."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.standard_normal((1, n_x)) @ X > 0).astype(np.float64)
    return X, Y


def fit_runner(X, Y, dims) -> Runner:
    """Layer Lab: the trainer that ``fit`` drives, full batch, plain gradient descent."""
    config = TrainConfig(LEARNING_RATE, 10**9, LAMBD, init="he", seed=0)
    return Trainer(X, Y, dims, config).step


def bare_runner(X, Y, dims) -> Runner:
    """The seed's arithmetic, inline on lists of arrays ``W[l] (n_l, n_{l-1})``, ``b[l]``."""
    params = init_params(dims, "he", 0)
    L = len(dims) - 1
    W = [params[f"W{l}"] for l in range(1, L + 1)]
    b = [params[f"b{l}"] for l in range(1, L + 1)]
    m = X.shape[1]

    def run(iterations: int) -> None:
        for _ in range(iterations):
            A, Z = [X], []
            for l in range(L):
                Z.append(W[l] @ A[l] + b[l])
                A.append(np.maximum(Z[l], 0.0))
            ZL = Z[-1]
            AL = np.exp(-np.logaddexp(0.0, -ZL))
            cost = np.sum(np.logaddexp(0.0, ZL) - Y * ZL) / m
            cost += LAMBD / (2 * m) * sum(np.sum(w * w) for w in W)
            float(cost)
            dZ = AL - Y
            for l in range(L - 1, -1, -1):
                dW = dZ @ A[l].T / m + (LAMBD / m) * W[l]
                db = np.sum(dZ, axis=1, keepdims=True) / m
                if l > 0:
                    dZ = np.where(Z[l - 1] > 0.0, W[l].T @ dZ, 0.0)
                W[l] -= LEARNING_RATE * dW
                b[l] -= LEARNING_RATE * db

    return run


def torch_runner(X, Y, dims) -> Runner:
    """The same algorithm in PyTorch eager, float64, gradients by hand (no autograd)."""
    import torch

    params = init_params(dims, "he", 0)
    L = len(dims) - 1
    W = [torch.from_numpy(params[f"W{l}"]) for l in range(1, L + 1)]
    b = [torch.from_numpy(params[f"b{l}"]) for l in range(1, L + 1)]
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    m = X.shape[1]

    @torch.no_grad()
    def run(iterations: int) -> None:
        for _ in range(iterations):
            A, Z = [Xt], []
            for l in range(L):
                Z.append(torch.addmm(b[l], W[l], A[l]))
                A.append(torch.relu(Z[l]))
            ZL = Z[-1]
            AL = torch.sigmoid(ZL)
            cost = torch.sum(torch.nn.functional.softplus(ZL) - Yt * ZL) / m
            cost += LAMBD / (2 * m) * sum(torch.sum(w * w) for w in W)
            cost.item()
            dZ = AL - Yt
            for l in range(L - 1, -1, -1):
                dW = dZ @ A[l].T / m + (LAMBD / m) * W[l]
                db = torch.sum(dZ, dim=1, keepdim=True) / m
                if l > 0:
                    dZ = torch.where(Z[l - 1] > 0.0, W[l].T @ dZ, 0.0)
                W[l] -= LEARNING_RATE * dW
                b[l] -= LEARNING_RATE * db

    return run


def sklearn_runner(X, Y, dims) -> Runner:
    """MLPClassifier with full-batch SGD and no momentum, continuing from warm weights."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    XT, y = X.T.copy(), Y.ravel()  # sklearn's layout: one row per example
    model = MLPClassifier(
        hidden_layer_sizes=dims[1:-1],
        solver="sgd",
        batch_size=X.shape[1],
        learning_rate_init=LEARNING_RATE,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=LAMBD,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=10**9,
        warm_start=True,
        random_state=0,
    )

    def run(iterations: int) -> None:
        model.set_params(max_iter=iterations)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter reached: intended
            model.fit(XT, y)
        assert model.n_iter_ == iterations

    return run


RUNNERS = {"fit": fit_runner, "torch": torch_runner, "sklearn": sklearn_runner, "bare": bare_runner}


def time_case(
    dims, m: int, iterations: int, repeats: int, clock: Callable[[], float] = time.perf_counter
) -> dict[str, list[float]]:
    """Seconds per iteration of each contender, ``repeats`` interleaved measurements."""
    X, Y = make_data(dims[0], m)
    runners = {name: make(X, Y, dims) for name, make in RUNNERS.items()}
    for run in runners.values():
        run(1)  # warm-up: allocation, lazy initialisation
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            time.sleep(SETTLE)
            start = clock()
            run(iterations)
            samples[name].append((clock() - start) / iterations)
    return samples


def numpy_blas() -> dict:
    """threadpoolctl's record of the BLAS that NumPy itself links."""
    numpy_libs = os.path.dirname(np.__file__) + ".libs"
    return next(
        info
        for info in threadpoolctl.threadpool_info()
        if info["user_api"] == "blas" and info["filepath"].startswith(numpy_libs)
    )


def describe_machine() -> str:
    """Library versions, NumPy's BLAS kernel and threads, OPENBLAS_* overrides, load."""
    import sklearn
    import torch

    blas = numpy_blas()
    overrides = {key: value for key, value in os.environ.items() if key.startswith("OPENBLAS")}
    return (
        f"numpy {np.__version__}: {blas['internal_api']} {blas['version']} "
        f"kernel={blas['architecture']} threads={blas['num_threads']}; "
        f"env {overrides or 'OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset'}\n"
        f"torch {torch.__version__} (BLAS {torch.backends.mkl.is_available() and 'MKL'}) "
        f"threads={torch.get_num_threads()}; scikit-learn {sklearn.__version__}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="measurements per contender")
    parser.add_argument("--case", type=int, action="append", help="run only CASES[i]")
    parser.add_argument("--statistic", choices=["median", "min"], default="median")
    parser.add_argument(
        "--threads", type=int, help="BLAS threads for NumPy and torch (default: NumPy's)"
    )
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="cpu: this thread's CPU time, steady on a busy machine; only with --threads 1",
    )
    args = parser.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu counts the calling thread only: use it with --threads 1")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    cases = [CASES[i] for i in args.case] if args.case else CASES
    statistic = statistics.median if args.statistic == "median" else min

    import torch

    if args.threads:
        threadpoolctl.threadpool_limits(args.threads, user_api="blas")
    torch.set_num_threads(numpy_blas()["num_threads"])
    print(describe_machine())
    print(
        f"float64, α={LEARNING_RATE}, λ={LAMBD}; µs per iteration ({args.clock} clock), "
        f"{args.statistic} of {args.repeats} interleaved runs"
    )
    header = (
        f"{'layer_dims':<22}{'m':>6}"
        + "".join(f"{name:>10}" for name in RUNNERS)
        + f"{'fit/torch':>11}{'fit/sklearn':>13}{'fit/bare':>10}"
    )
    print(header)
    print("-" * len(header))
    for dims, m, iterations in cases:
        samples = time_case(dims, m, iterations, args.repeats, clock)
        us = {name: statistic(values) * 1e6 for name, values in samples.items()}
        print(
            f"{dims!s:<22}{m:>6}"
            + "".join(f"{us[name]:>10.0f}" for name in RUNNERS)
            + f"{us['fit'] / us['torch']:>11.2f}{us['fit'] / us['sklearn']:>13.2f}"
            + f"{us['fit'] / us['bare']:>10.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
