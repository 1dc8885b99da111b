// Reads a child's stdout or stderr and hands over whole lines, so interleaved workers never garble each other.
export async function forEachLine(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = partial + decoder.decode(value, { stream: true });
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (partial) onLine(partial);
}
