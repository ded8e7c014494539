"""Take a run away: a standalone NumPy script made of the core's own code (``export_script``)."""

from layerlab.export.csv_source import CsvSource
from layerlab.export.script import export_script

__all__ = ["CsvSource", "export_script"]
