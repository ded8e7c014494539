// Compile the site's bytecode inside Pyodide under Node: the exact interpreter the page
// runs. Usage: node compile.js PYODIDE_DIR WORK (see compile.py, which it runs on WORK).
"use strict";
const fs = require("fs");
const path = require("path");

const [pyodideDir, work] = process.argv.slice(2);
const { loadPyodide } = require(path.resolve(pyodideDir, "pyodide.js"));

(async () => {
  const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/" });
  pyodide.FS.mkdirTree("/work");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: work }, "/work");
  pyodide.setStdout({ batched: (line) => console.log(line) });
  await pyodide.runPythonAsync(fs.readFileSync(path.join(__dirname, "compile.py"), "utf8"));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
