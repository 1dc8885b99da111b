// Reads a child's stdout or stderr and hands over whole lines, so interleaved workers never garble each other.

/** Ends a line cut at the reader's limit. */
export const CUT_MARK = " …[line cut]";

/**
 * With `maxChars`, a longer line is handed over cut (ending in CUT_MARK) as soon as it passes the limit and the rest
 * of it is skipped up to its newline: a 10 MB line, or one that never ends, costs the reader at most `maxChars`.
 * Each chunk is scanned once, never the held part again (the old split of partial + chunk was quadratic on long lines).
 */
export async function forEachLine(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void, maxChars = Infinity): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  let skipping = false;
  const add = (piece: string) => {
    if (skipping) return;
    partial += piece;
    if (partial.length <= maxChars) return;
    onLine(partial.slice(0, maxChars) + CUT_MARK);
    partial = "";
    skipping = true;
  };
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      add(text.slice(start, nl));
      if (!skipping) onLine(partial);
      partial = "";
      skipping = false;
      start = nl + 1;
    }
    add(text.slice(start));
  }
  add(decoder.decode());
  if (partial && !skipping) onLine(partial);
}
