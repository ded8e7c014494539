// Build the app's document exactly as the page's worker does (same Pyodide, standard
// library, packs, bootstrap and the same sequence of Python calls as worker.js) and write
// what the worker would send for a link without settings, plus the Jinja bytecode the
// bootstrap's template cache wrote on the way.
// Usage: node preview.js SETUP_JSON APP APP_IMPORTS PANEL_ROOT TEMPLATE_DIR OUT
// (SETUP_JSON: node_pyodide.js's setup; writes OUT/preview.json and OUT/templates/).
// Fails when an import needed the second pack: the trace missed something the start uses.
"use strict";
const fs = require("fs");
const { startUp, workerPyodide } = require("./node_pyodide.js");

const [setupFile, app, appImports, panelRoot, templateDir, out] = process.argv.slice(2);

(async () => {
  const setup = JSON.parse(fs.readFileSync(setupFile, "utf8"));
  setup.env = { ...setup.env, PANEL_CDN_ROOT: panelRoot };
  const pyodide = await workerPyodide(setup);
  pyodide.FS.mkdirTree(templateDir); // empty: the bootstrap's template cache fills it
  const bridge = startUp(pyodide, appImports);
  const render = (await bridge.run_app(fs.readFileSync(app, "utf8"), () => {})).toJs();
  if (setup.secondPack.fetched.length) {
    const needed = setup.secondPack.fetched.join(", ");
    throw new Error(`starting the app needed ${needed} from the second pack: the trace missed it`);
  }
  fs.writeFileSync(`${out}/preview.json`, JSON.stringify(render));
  fs.mkdirSync(`${out}/templates`);
  for (const name of pyodide.FS.readdir(templateDir).filter((n) => n.endsWith(".cache"))) {
    fs.writeFileSync(`${out}/templates/${name}`, pyodide.FS.readFile(`${templateDir}/${name}`));
  }
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
