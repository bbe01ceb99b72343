#!/usr/bin/env node
'use strict';
// V8: after a full collection, let the old generation grow to 1.5 × what survived it before the next one (V8 picks
// up to 4 × when allocation is fast, which is what set rpcsnoop's peak: ~40 MB live, ~280 MiB RSS on a 1 GB capture).
// The peak then follows the bounded live tables, not V8's headroom; costs more marking (docs/performance.md).
require('v8').setFlagsFromString('--heap-growing-percent=50');
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through the "prepare" script).
let main;
try {
  ({ main } = require('../dist/src/cli/main.js'));
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('rpcsnoop: not built yet; run "npm install" (or "npm run build") in the rpcsnoop directory\n');
    process.exit(1);
  }
  throw e;
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`rpcsnoop: internal error: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
