// Ctrl-C and SIGTERM for long commands: the first one stops starting new work and cancels
// what is in flight (the store's writes are synchronous, so none is left half done); a
// second one exits at once.

export const INTERRUPTED_EXIT_CODE = 130;

export interface Interruption {
  signal: AbortSignal;
  /** Which signal arrived, if any. */
  readonly received: NodeJS.Signals | undefined;
  dispose(): void;
}

export function watchInterrupts(onFirst?: (signal: NodeJS.Signals) => void): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (received) process.exit(INTERRUPTED_EXIT_CODE);
    received = sig;
    onFirst?.(sig);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
