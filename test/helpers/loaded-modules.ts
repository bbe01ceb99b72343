/**
 * Preloaded with `node --require dist/test/helpers/loaded-modules.js`: at exit, writes the modules the process
 * loaded to the file named by RPCSNOOP_LOADED_MODULES_OUT, as JSON `{ files, builtins }` — `files` the keys of
 * require.cache (file names), `builtins` node's own modules (process.moduleLoadList, "NativeModule x" entries).
 * Used by test/cli-lazy-modules.test.ts.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.RPCSNOOP_LOADED_MODULES_OUT;
if (out) {
  process.once('exit', () => {
    const moduleLoadList = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
    const builtins = moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    writeFileSync(out, JSON.stringify({ files: Object.keys(require.cache), builtins }));
  });
}
