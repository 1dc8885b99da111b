// The foreground master's worker lines on its stdout and stderr: what a stalled reader cannot take is dropped and counted, never queued.
import { inertText } from "./inert-text.ts";
import { jsonFromPrefixed } from "./json-log.ts";

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
  #out: Writable | null = null;

  /** `open` runs at the first line: a stream's first use costs ms of CPU (Bun 1.4.5), not to be paid before the launch. */
  constructor(
    private readonly open: () => Writable,
    private readonly render: (line: string) => string,
  ) {}

  get #stream(): Writable {
    if (this.#out) return this.#out;
    const out = this.open();
    out.on("drain", () => {
      this.#blocked = false;
      if (this.#dropped === 0) return;
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.write(`[log] ${dropped.toLocaleString("en-US")} lines left out while this output was not being read`);
    });
    this.#out = out;
    return out;
  }

  write(line: string): void {
    // Checked before rendering: a flood into a stalled reader costs a counter, not a JSON encoding per line.
    if (this.#blocked) this.#dropped++;
    else this.#put(this.render(line));
  }

  /** A line already in its final form (a JSON supervisor event). */
  writeRendered(text: string): void {
    if (this.#blocked) this.#dropped++;
    else this.#put(text);
  }

  #put(text: string): void {
    if (!this.#stream.write(text + "\n")) this.#blocked = true;
  }
}

export type Stream = "stdout" | "stderr";

/** log.format "json": a stderr line is read as an error, a stdout line as information. */
const renderers = {
  text: { stdout: inertText, stderr: inertText },
  json: { stdout: (line: string) => jsonFromPrefixed(line, "info"), stderr: (line: string) => jsonFromPrefixed(line, "error") },
};

/** Without streams given: the process's own, taken at the first line written to each. */
export function terminalOutput(
  stdout?: Writable,
  stderr?: Writable,
  format: "text" | "json" = "text",
): ((line: string, stream: Stream) => void) & { rendered: (text: string, stream: Stream) => void } {
  const lanes = {
    stdout: new Lane(() => stdout ?? process.stdout, renderers[format].stdout),
    stderr: new Lane(() => stderr ?? process.stderr, renderers[format].stderr),
  };
  const write = (line: string, stream: Stream) => lanes[stream].write(line);
  return Object.assign(write, { rendered: (text: string, stream: Stream) => lanes[stream].writeRendered(text) });
}
