// The foreground master's terminal lanes take their stream at the first line written to it (a stream's first use costs
// milliseconds of CPU a start should not pay before its first worker's launch), and still drop and count when refused.
import { expect, test } from "bun:test";
import { terminalOutput } from "../../src/master/terminal-output.ts";

class FakeStream {
  readonly written: string[] = [];
  listeners = 0;
  refuse = false;
  #drain: (() => void) | null = null;

  write(text: string): boolean {
    this.written.push(text);
    return !this.refuse;
  }

  on(_event: "drain", listener: () => void): this {
    this.listeners++;
    this.#drain = listener;
    return this;
  }

  drain(): void {
    this.refuse = false;
    this.#drain?.();
  }
}

test("no stream is touched until a line is written to it, and each is taken once", () => {
  const stdout = new FakeStream();
  const stderr = new FakeStream();
  const out = terminalOutput(stdout, stderr);
  expect([stdout.listeners, stderr.listeners]).toEqual([0, 0]);
  out("[web#0 1] hello", "stdout");
  out("[web#0 1] again", "stdout");
  expect([stdout.listeners, stderr.listeners]).toEqual([1, 0]);
  expect(stdout.written).toEqual(["[web#0 1] hello\n", "[web#0 1] again\n"]);
  out("[web#0 1] oops", "stderr");
  expect([stdout.listeners, stderr.listeners]).toEqual([1, 1]);
});

test("a stream that refuses a write has later lines dropped until it drains, then one line says how many", () => {
  const stdout = new FakeStream();
  const out = terminalOutput(stdout, new FakeStream());
  stdout.refuse = true;
  out("first", "stdout");
  out("dropped 1", "stdout");
  out("dropped 2", "stdout");
  expect(stdout.written).toEqual(["first\n"]);
  stdout.drain();
  out("after", "stdout");
  expect(stdout.written).toEqual(["first\n", "[log] 2 lines left out while this output was not being read\n", "after\n"]);
});
