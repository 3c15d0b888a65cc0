/**
 * Long-running commands wait here until the user presses Ctrl-C (SIGINT) or a supervisor sends SIGTERM,
 * then shut down in order. A second signal while shutting down exits at once.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

export function waitForStopSignal(): Promise<StopSignal> {
  return new Promise((resolve) => {
    const onSignal = (signal: StopSignal) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const again = () => process.exit(130);
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
