"""The NumPy core must not pull in the UI stack."""

import subprocess
import sys


def test_importing_the_core_leaves_ui_libraries_out():
    code = (
        "import sys, layerlab, layerlab.datasets, layerlab.serialization, layerlab.sweep\n"
        "loaded = sorted(m for m in ('panel', 'bokeh', 'param') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
    # The same probe sees a UI library once something imports it.
    result = subprocess.run(
        [sys.executable, "-c", "import param\n" + code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "param"
