"""Copy top-level definitions of Layer Lab's own modules, as source, with what they need.

The exported script is not written from templates: it is made of the very functions and
classes the core runs. ``Bundle.take(pieces)`` returns the source text of each piece (a
function or class object, or a ``(module name, name)`` pair for a constant such as
``RELU``), preceded by every top-level definition it refers to that was not taken yet,
found by reading the names its code uses (with the comment lines right above it). Names a
module imports from elsewhere (``numpy as np``) become the script's imports; names from
other Layer Lab modules are followed there.
"""

import ast
import builtins
import importlib
import inspect
from dataclasses import dataclass, field

_DEFINITIONS = (ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


@dataclass
class _Module:
    """A parsed module: its lines, its top-level definitions and its imports by name."""

    name: str
    lines: list[str]
    definitions: dict[str, ast.stmt]
    imports: dict[str, tuple[str, str | None, int]]  # name -> (module, attr, level)


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [target.id for target in targets if isinstance(target, ast.Name)]


def _parse(module_name: str) -> _Module:
    source = inspect.getsource(importlib.import_module(module_name))
    tree = ast.parse(source)
    definitions: dict[str, ast.stmt] = {}
    imports: dict[str, tuple[str, str | None, int]] = {}
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            definitions.update(dict.fromkeys(_defined_names(node), node))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imports[alias.asname or alias.name] = (alias.name, None, 0)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                imports[alias.asname or alias.name] = (node.module, alias.name, node.level)
    return _Module(module_name, source.splitlines(), definitions, imports)


def _used_names(node: ast.stmt) -> list[str]:
    """Free names ``node`` reads (annotations and defaults included), in order of use."""
    bound: set[str] = set()
    used: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            if isinstance(child.ctx, ast.Load):
                used.append(child.id)
            else:
                bound.add(child.id)
        elif isinstance(child, ast.arg):
            bound.add(child.arg)
        elif isinstance(child, ast.ExceptHandler | ast.FunctionDef | ast.ClassDef) and (
            child is not node and child.name
        ):
            bound.add(child.name)
    own = set(_defined_names(node))
    return list(dict.fromkeys(name for name in used if name not in bound | own))


@dataclass
class Bundle:
    """Definitions taken so far (each once) and the imports they need."""

    imports: dict[str, str] = field(default_factory=dict)  # statement -> its module's root
    _modules: dict[str, _Module] = field(default_factory=dict)
    _taken: set[tuple[str, str]] = field(default_factory=set)

    def take(self, *pieces) -> list[str]:
        """The source of each piece not taken yet, its dependencies first."""
        parts: list[str] = []
        for piece in pieces:
            module_name, name = piece if isinstance(piece, tuple) else _locate(piece)
            self._take(module_name, name, parts)
        return parts

    def import_lines(self) -> list[str]:
        """The imports the taken definitions need: the standard library's, then numpy."""
        stdlib = sorted(line for line, root in self.imports.items() if root != "numpy")
        numpy = sorted(line for line, root in self.imports.items() if root == "numpy")
        return stdlib + ([""] if stdlib and numpy else []) + numpy

    def _module(self, name: str) -> _Module:
        if name not in self._modules:
            self._modules[name] = _parse(name)
        return self._modules[name]

    def _take(self, module_name: str, name: str, parts: list[str]) -> None:
        module = self._module(module_name)
        node = module.definitions[name]
        key = (module_name, _defined_names(node)[0])
        if key in self._taken:
            return
        self._taken.add(key)
        for used in _used_names(node):
            self._resolve(module, used, parts)
        parts.append(_source(module, node))

    def _resolve(self, module: _Module, name: str, parts: list[str]) -> None:
        if name in module.definitions:
            self._take(module.name, name, parts)
        elif name in module.imports:
            source, attr, level = module.imports[name]
            if level:  # a relative import: from .network import forward
                package = module.name.rsplit(".", level)[0]
                self._take(f"{package}.{source}", attr, parts)
            elif source.split(".")[0] == "layerlab":
                self._take(source, attr, parts)
            elif attr is None:
                alias = "" if name == source else f" as {name}"
                self.imports[f"import {source}{alias}"] = source.split(".")[0]
            else:
                alias = "" if name == attr else f" as {name}"
                self.imports[f"from {source} import {attr}{alias}"] = source.split(".")[0]
        elif not hasattr(builtins, name):
            raise ValueError(f"{module.name} uses {name!r}, which a script cannot copy")


def _locate(obj) -> tuple[str, str]:
    """``(module name, name)`` of a top-level function or class."""
    return obj.__module__, obj.__name__


def _source(module: _Module, node: ast.stmt) -> str:
    """The lines of ``node`` (decorators included), with the comment lines right above it."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    while first > 1 and module.lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return "\n".join(module.lines[first - 1 : node.end_lineno])
