// Start-path phase marks for measuring cold start: with WORKERMAN_TRACE_START=1 each mark prints a line to stderr.
// The line: `wm-start <role> <pid> at=<epoch ms> since=<ms since the process began> cpu=<user+sys ms> <step>`;
// bench/cold-start-phases.ts lines the master's and the worker's marks up against the moment it spawned the master.
const enabled = process.env.WORKERMAN_TRACE_START === "1";

export function traceStart(role: "master" | "worker", step: string): void {
  if (!enabled) return;
  const since = performance.now();
  const cpu = process.cpuUsage();
  const at = (performance.timeOrigin + since).toFixed(2);
  process.stderr.write(`wm-start ${role} ${process.pid} at=${at} since=${since.toFixed(2)} cpu=${((cpu.user + cpu.system) / 1000).toFixed(2)} ${step}\n`);
}
