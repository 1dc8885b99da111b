// The foreground master's worker lines on its stdout and stderr: what a stalled reader cannot take is dropped and counted, never queued.
import { inertText } from "./inert-text.ts";

interface Writable {
  write(text: string): boolean;
  on(event: "drain", listener: () => void): unknown;
}

/**
 * A pipe nobody reads (a stopped pager, a stuck log shipper) would have every later line queued in the master's
 * memory (measured: 20 MB of lines into a pipe that was not read added 40 MB of RSS). Once a write is refused,
 * lines are dropped until the stream drains, then one line says how many.
 */
class Lane {
  #blocked = false;
  #dropped = 0;

  constructor(private readonly out: Writable) {
    out.on("drain", () => {
      this.#blocked = false;
      if (this.#dropped === 0) return;
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.write(`[log] ${dropped.toLocaleString("en-US")} lines left out while this output was not being read`);
    });
  }

  write(line: string): void {
    if (this.#blocked) {
      this.#dropped++;
      return;
    }
    if (!this.out.write(inertText(line) + "\n")) this.#blocked = true;
  }
}

export function terminalOutput(stdout: Writable = process.stdout, stderr: Writable = process.stderr): (line: string, stream: "stdout" | "stderr") => void {
  const lanes = { stdout: new Lane(stdout), stderr: new Lane(stderr) };
  return (line, stream) => lanes[stream].write(line);
}
