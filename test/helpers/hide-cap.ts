/**
 * Preload (`node -r dist/test/helpers/hide-cap.js bin/rpcsnoop.js ...`) that makes the optional dependency `cap`
 * look absent: require('cap') throws MODULE_NOT_FOUND with node's own wording, as when `cap` was not built because
 * libpcap's headers were missing at install time. Nothing else is changed.
 */
import Module from 'node:module';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;

loader._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
  if (request === 'cap' || request.startsWith('cap/')) {
    const e = new Error(`Cannot find module '${request}'\nRequire stack:\n- (hidden by test/helpers/hide-cap.ts)`) as NodeJS.ErrnoException;
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  }
  return load.call(this, request, parent, isMain);
};
