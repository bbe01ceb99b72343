/**
 * Preload (`node -r dist/test/helpers/throw-later.js ...`) that throws an uncaught error THROW_LATER_MS
 * milliseconds after start: how the TUI test checks that the terminal is restored when the program fails.
 */
const ms = Number(process.env.THROW_LATER_MS ?? '500');
setTimeout(() => {
  throw new Error('thrown later by the test');
}, ms);
