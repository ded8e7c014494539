"""Imports the first pack missed: found in the second pack, fetched when first needed.

The fast build ships, in its first pack and standard-library zip, only what a traced
session of the app uses (build.py's ``trace_session``). Everything else the wheels and the
standard library hold is in the second pack. ``install`` adds an import finder, consulted
after all others, that knows the second pack's module names: the first import of one of
them fetches the pack (synchronously: an import cannot wait), checks it against its
sha256, writes its files in place and lets the import go on as if they had always been
there. Imports of modules that exist nowhere (optional dependencies tried in a
``try``/``except ImportError``) are not its business and fetch nothing.

``worker.js`` (and, at build time, ``static/build/node_pyodide.js``) writes this file as
``_layerlab_second_pack`` and provides ``js.layerlabSecondPack`` with three functions:
``fetch(name)`` (the pack's gzipped bytes; ``name`` is the module that needs it),
``write(bytes)`` (unpacks it, see ``pack.js``) and ``fail(message)`` (tells the page).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import zlib

import js
import pyodide.ffi


class SecondPackFinder(importlib.abc.MetaPathFinder):
    """Finds the second pack's modules by fetching the pack the first time one is asked for."""

    def __init__(self, modules: frozenset[str], sha256: str, root: str) -> None:
        self.modules = modules  # emptied once the pack is in place
        self.sha256 = sha256
        self.root = root  # where the pack unpacks: site-packages and the stdlib's folder

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        self.modules = frozenset()
        self._put_in_place(name)
        importlib.invalidate_caches()  # the folders' listings changed
        self._extend_zipped_packages()
        return importlib.machinery.PathFinder.find_spec(name, path)

    def _extend_zipped_packages(self) -> None:
        """Let standard-library packages imported from the zip (``email``) find their
        modules that arrived in the pack (``email.mime``): in the stdlib's folder."""
        zips = [entry for entry in sys.path if entry.endswith(".zip")]
        for module in list(sys.modules.values()):
            for entry in list(getattr(module, "__path__", None) or ()):
                for archive in zips:
                    if not entry.startswith(archive + "/"):
                        continue
                    folder = os.path.join(self.root, entry[len(archive) + 1 :])
                    if os.path.isdir(folder) and folder not in module.__path__:
                        module.__path__.append(folder)

    def _put_in_place(self, name: str) -> None:
        """Fetch, check and unpack the second pack, or raise ImportError saying why not."""
        try:
            data = zlib.decompress(js.layerlabSecondPack.fetch(name).to_bytes(), wbits=31)
        except (pyodide.ffi.JsException, zlib.error) as error:
            self._fail(name, f"the download of the rest of Python's files failed ({error})")
        if hashlib.sha256(data).hexdigest() != self.sha256:
            self._fail(name, "the rest of Python's files are not the ones this page expects")
        js.layerlabSecondPack.write(pyodide.ffi.to_js(data))

    @staticmethod
    def _fail(name: str, problem: str) -> None:
        message = f"Layer Lab needs {name}, but {problem}. Reload the page to try again."
        js.layerlabSecondPack.fail(message)
        raise ImportError(message, name=name)


def install(modules_file: str, sha256: str, root: str) -> None:
    """Consult the second pack, whose module names ``modules_file`` lists (one a line) and
    which unpacks into ``root``, after every other finder."""
    with open(modules_file) as f:
        modules = frozenset(f.read().split())
    sys.meta_path.append(SecondPackFinder(modules, sha256, root))
