/**
 * For the lab tests: servers they start must not outlive them. Ctrl-C or a CI job timeout ends the test process with
 * a signal, and node:test's own SIGINT/SIGTERM handler calls process.exit() — after() and finally blocks do not run
 * then, so the cleanup also runs on 'exit' (it must be synchronous) and on the signals, which are re-raised after it.
 */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs `cleanup` if the process exits or is signalled; returns the function that removes these hooks again. */
export function cleanupOnAbort(cleanup: () => void): () => void {
  const onSignal = (sig: NodeJS.Signals): void => {
    cleanup();
    process.kill(process.pid, sig);
  };
  process.once('exit', cleanup);
  for (const s of SIGNALS) process.once(s, onSignal);
  return () => {
    process.off('exit', cleanup);
    for (const s of SIGNALS) process.off(s, onSignal);
  };
}
