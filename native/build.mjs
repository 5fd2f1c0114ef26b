// Builds the native parser (native/parser.c with tree-sitter's C runtime and Python grammar)
// when the package is installed. Never fails the install: without it the analyzer uses the
// WebAssembly parser, which gives the same trees, a little slower. Prints one line saying
// which it is.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

function skip(reason) {
  console.log(`secagent: native parser not built (${reason}); the analyzer will use the WebAssembly parser`);
  process.exit(0);
}

if (process.env.SECAGENT_PARSER === 'wasm') skip('SECAGENT_PARSER=wasm');
let treeSitter, pythonGrammar;
try {
  treeSitter = `${packageDir('tree-sitter')}/vendor/tree-sitter`;
  pythonGrammar = packageDir('tree-sitter-python');
} catch (error) {
  skip(`sources not found: ${error.message}`);
}
if (!existsSync(`${treeSitter}/lib/src/lib.c`) || !existsSync(`${pythonGrammar}/src/parser.c`)) skip('tree-sitter or tree-sitter-python sources are missing');

// npm hands its own node-gyp to install scripts; outside npm, one on the PATH.
const gyp = process.env.npm_config_node_gyp;
const [command, prefix] = gyp && existsSync(gyp) ? [process.execPath, [gyp]] : ['node-gyp', []];
// gyp wants source paths relative to this folder.
const args = [...prefix, 'rebuild', '--directory', here, '--', `-Dtree_sitter=${relative(here, treeSitter)}`, `-Dpython_grammar=${relative(here, pythonGrammar)}`];
const started = Date.now();
const run = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 300_000 });
if (run.error || run.status !== 0) {
  rmSync(`${here}/build`, { recursive: true, force: true });
  const detail = run.error?.message ?? `${(run.stderr || run.stdout).trim().split('\n').filter((l) => /error/i.test(l)).slice(-1)[0] ?? `exit code ${run.status}`}`;
  skip(`node-gyp failed: ${detail}`);
}
console.log(`secagent: native parser built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
