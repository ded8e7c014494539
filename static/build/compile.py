"""Compile the site's bytecode with the interpreter the page runs: Pyodide's own Python.

Run inside Pyodide under Node by ``compile.js`` (for build.py's ``compile_bytecode``), with
build.py's work folder mounted at ``/work``:

* ``/work/python_stdlib.zip`` (Pyodide's standard library, sources only) becomes
  ``/work/python_stdlib_pyc.zip``, the same zip with ``.pyc`` in place of each ``.py``;
* each ``.py`` under ``/work/site-packages`` gets its
  ``__pycache__/*.cpython-312.opt-2.pyc``, compiled for the path the page unpacks it to
  (so tracebacks name real paths).

The bytecode is hash-based and unchecked (unpacking resets file times, so timestamp-based
``.pyc`` would count as stale) and carries no docstrings: nothing the app runs reads them.
The fast site's Python runs with ``PYTHONOPTIMIZE=2``, as ``python -OO`` does, which every
package shipped supports: it tells them docstrings are gone (numpy, for one, copies
docstrings onto its C functions unless the flag says so), and it is why the cached
bytecode's names end in ``.opt-2.pyc``. Unlike ``-OO``, asserts stay: only the docstrings
go.
"""

import ast
import importlib.util
import marshal
import os
import sys
import sysconfig
import zipfile

WORK = "/work"
# Where this Pyodide keeps its stdlib zip and site-packages (so co_filename is right).
STDLIB_ZIP = next(p for p in sys.path if p.endswith(".zip"))
SITE_PACKAGES = "/" + sysconfig.get_path("purelib").lstrip("/")  # not "//lib/..."
DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def without_docstrings(tree: ast.Module) -> ast.Module:
    """``tree`` with the docstring of every module, class and function removed."""
    for node in ast.walk(tree):
        if not isinstance(node, DOCUMENTED) or not node.body:
            continue
        first = node.body[0]
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            # A function or class body is never empty; a module's may be (and must not
            # start with `pass`: `from __future__` imports come first).
            rest = [] if isinstance(node, ast.Module) else [ast.copy_location(ast.Pass(), first)]
            node.body = node.body[1:] or rest
    return tree


def pyc_bytes(source: bytes, path: str) -> bytes:
    """An unchecked hash-based ``.pyc`` of ``source``, compiled as the file ``path``."""
    tree = without_docstrings(ast.parse(source, path))
    code = compile(tree, path, "exec", dont_inherit=True)
    data = bytearray(importlib.util.MAGIC_NUMBER)
    data += (0b01).to_bytes(4, "little")  # hash-based, unchecked
    data += importlib.util.source_hash(source)
    data += marshal.dumps(code)
    return bytes(data)


def compile_stdlib() -> None:
    """The standard library zip, with ``.pyc`` in place of ``.py`` (zipimport reads them)."""
    with (
        zipfile.ZipFile(WORK + "/python_stdlib.zip") as src,
        zipfile.ZipFile(WORK + "/python_stdlib_pyc.zip", "w", zipfile.ZIP_STORED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".py"):
                path = STDLIB_ZIP + "/" + info.filename
                dst.writestr(info.filename[:-3] + ".pyc", pyc_bytes(data, path))
            else:
                dst.writestr(info.filename, data)


def compile_site_packages() -> list[str]:
    """``__pycache__`` bytecode beside every ``.py`` of site-packages; returns the files
    that do not compile (templates and examples shaped like Python, never imported)."""
    failed = []
    root = WORK + "/site-packages"
    for folder, _, names in os.walk(root):
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            with open(path, "rb") as f:
                source = f.read()
            try:
                pyc = pyc_bytes(source, SITE_PACKAGES + "/" + rel)
            except (SyntaxError, ValueError):
                failed.append(rel)
                continue
            cached = importlib.util.cache_from_source(path, optimization=2)
            os.makedirs(os.path.dirname(cached), exist_ok=True)
            with open(cached, "wb") as f:
                f.write(pyc)
    return failed


compile_stdlib()
for rel in compile_site_packages():
    print(f"not compiled (not Python 3.12): {rel}")
