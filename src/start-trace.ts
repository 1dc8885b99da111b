// Start-path phase marks for measuring cold start: with WORKERMAN_TRACE_START set each mark prints a line.
// The line: `wm-start <role> <pid> at=<epoch ms> since=<ms since the process began> cpu=<user+sys ms> <step>`;
// bench/cold-start-phases.ts lines the master's and the worker's marks up against the moment it spawned the master.
// WORKERMAN_TRACE_START=1 writes to stderr; a path appends to that file instead, which the bench uses: a worker's
// stderr goes through the master's log pipeline, whose CPU would then be counted into the start it measures.
// Written with writeSync: process.stderr's first write costs 6-7 ms of CPU in a compiled Bun 1.4.5 (measured); node:fs
// is loaded only when tracing (about 2 ms): every process imports this module before its first line runs.
const target = process.env.WORKERMAN_TRACE_START;
const fs = target ? process.getBuiltinModule("node:fs") : null;
const fd = !fs ? -1 : target === "1" ? 2 : fs.openSync(target!, "a");

export function traceStart(role: "master" | "worker", step: string): void {
  if (!fs) return;
  const since = performance.now();
  const cpu = process.cpuUsage();
  const at = (performance.timeOrigin + since).toFixed(2);
  fs!.writeSync(fd, `wm-start ${role} ${process.pid} at=${at} since=${since.toFixed(2)} cpu=${((cpu.user + cpu.system) / 1000).toFixed(2)} ${step}\n`);
}
