// Maps signals to master actions (Workerman 5 parity): INT/TERM/HUP stop, QUIT stops gracefully, USR1 reloads, USR2 reloads gracefully.
export interface SignalActions {
  stop: (graceful: boolean) => void;
  reload: (graceful: boolean) => void;
}

export function installSignals(actions: SignalActions): { remove: () => void } {
  const handlers: [NodeJS.Signals, () => void][] = [
    ["SIGINT", () => actions.stop(false)],
    ["SIGTERM", () => actions.stop(false)],
    ["SIGHUP", () => actions.stop(false)],
    ["SIGQUIT", () => actions.stop(true)],
    ["SIGUSR1", () => actions.reload(false)],
    ["SIGUSR2", () => actions.reload(true)],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return { remove: () => handlers.forEach(([signal, handler]) => process.off(signal, handler)) };
}
