/**
 * Preload (`node -r dist/test/helpers/throw-later.js ...`) that throws an uncaught error when the process gets
 * SIGUSR2: how the TUI test checks that the terminal is restored when the program fails (the test sends the
 * signal once the TUI is on the screen).
 */
process.on('SIGUSR2', () => {
  setImmediate(() => {
    throw new Error('thrown later by the test');
  });
});
