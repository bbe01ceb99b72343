/**
 * Preload (`node -r dist/test/helpers/throw-later.js ...`) that throws an uncaught error while the TUI runs: how the
 * TUI test checks that the terminal is restored when the program fails. It throws THROW_LATER_MS milliseconds
 * after start, but not before the TUI has installed its 'uncaughtException' handler: on a loaded machine the TUI
 * can take longer than that to start, and an error thrown before it runs tests nothing about it.
 */
const ms = Number(process.env.THROW_LATER_MS ?? '500');
const start = Date.now();
const poll = setInterval(() => {
  if (Date.now() - start < ms || process.listenerCount('uncaughtException') === 0) return;
  clearInterval(poll);
  throw new Error('thrown later by the test');
}, 20);
// (never what keeps the process alive)
poll.unref();
