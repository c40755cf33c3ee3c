// Gives the module's imports and exports short names, in the WebAssembly
// file and in the JavaScript that wasm-bindgen wrote for it.
//
// wasm-bindgen names each import after its Rust path and a hash
// (`__wbg_documentElement_5e44e37dd0181a81`) and each closure's entry
// point after its whole type (150 characters and more): both files carry
// every name, and hashes hardly compress (2 KB and more gzip in all).
// Binaryen's `--minify-imports-and-exports-and-modules` renames them in
// the module and prints the mapping, which this script applies to the
// JavaScript: the import object's keys and module name, and `wasm.NAME`.
//
// Usage: node scripts/short-names.mjs WASM_OPT FILE.wasm FILE.js [WASM_OPT_FLAGS...]
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";

const [wasmOpt, wasmFile, jsFile, ...flags] = process.argv.slice(2);
const output = execFileSync(
  wasmOpt,
  [...flags, "--minify-imports-and-exports-and-modules", wasmFile, "-o", `${wasmFile}.short`],
  { encoding: "utf8", maxBuffer: 1 << 26 },
);
const mapping = JSON.parse(output.slice(output.indexOf("{")));

let js = readFileSync(jsFile, "utf8");
const escape = (name) => name.replace(/[$.*+?^(){}|[\]\\]/g, "\\$&");
/** Replaces every match of `pattern` (one at least, or the build stops). */
function rename(pattern, replacement, what) {
  const before = js;
  js = js.replace(pattern, replacement);
  if (js === before) {
    throw new Error(`short-names: ${what} not found in ${jsFile}`);
  }
}

const modules = new Set();
for (const [module, name, short] of mapping.imports) {
  modules.add(module);
  // A key of the import object: `name: function (...`.
  rename(new RegExp(`(?<![\\w$])${escape(name)}(?=\\s*:)`, "g"), JSON.stringify(short), name);
}
// Binaryen names the one module `a`.
if (modules.size !== 1) {
  throw new Error(`short-names: expected one import module, found ${[...modules].join(", ")}`);
}
for (const module of modules) {
  rename(new RegExp(`${escape(JSON.stringify(module))}(?=\\s*:)`, "g"), '"a"', module);
}
for (const [name, short] of mapping.exports) {
  // Exports the glue does not use (`main`) are left as they are.
  js = js.replace(new RegExp(`(?<=\\bwasm\\.)${escape(name)}(?![\\w$])`, "g"), short);
}
for (const [, name] of mapping.imports) {
  if (new RegExp(`(?<![\\w$])${escape(name)}(?![\\w$])`).test(js)) {
    throw new Error(`short-names: ${name} is still used in ${jsFile}`);
  }
}
writeFileSync(jsFile, js);
renameSync(`${wasmFile}.short`, wasmFile);
