/**
 * Preload (`node --expose-gc -r dist/test/helpers/gc-before-exit.js bin/rpcsnoop.js ...`) that runs a full garbage
 * collection when the event loop has emptied, just before the process exits. A native object whose destructor
 * misbehaves (cap's half-opened handle after a failed open) then crashes every time instead of now and then.
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('gc-before-exit needs node --expose-gc');
process.on('beforeExit', () => collect());
