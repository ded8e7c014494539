"""The Layer Lab user interface: ``LabState`` (no Panel) and the Panel app built on it.

``create_app`` and ``create_app_from_link`` are imported lazily so that
``layerlab.ui.state`` works without Panel.
"""


def __getattr__(name: str):
    if name in ("create_app", "create_app_from_link"):
        from layerlab.ui import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
