// A line diff for the Configs view: the longest common subsequence of two configs' lines, as kept, removed and added lines.

export interface DiffLine {
  op: " " | "-" | "+";
  text: string;
}

/** A config is a few hundred lines; past this the quadratic table (up to 16 MB) would hold the page, so the diff refuses. */
export const MAX_DIFF_LINES = 2000;

/** Lines of `a` and `b` in order, the fewest marked removed and added; null when either side is past MAX_DIFF_LINES. */
export function lineDiff(a: readonly string[], b: readonly string[]): DiffLine[] | null {
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) return null;
  // Same lines at both ends cost nothing: trim them so the table covers only the middle that changed.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) endA--, endB--;
  const middle = commonRun(a.slice(start, endA), b.slice(start, endB));
  const kept = (lines: readonly string[]) => lines.map((text): DiffLine => ({ op: " ", text }));
  return [...kept(a.slice(0, start)), ...middle, ...kept(a.slice(endA))];
}

function commonRun(a: readonly string[], b: readonly string[]): DiffLine[] {
  // suffix[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const suffix = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      suffix[i * width + j] = a[i] === b[j] ? suffix[(i + 1) * width + j + 1]! + 1 : Math.max(suffix[(i + 1) * width + j]!, suffix[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: " ", text: a[i++]! });
      j++;
    } else if (suffix[(i + 1) * width + j]! >= suffix[i * width + j + 1]!) out.push({ op: "-", text: a[i++]! });
    else out.push({ op: "+", text: b[j++]! });
  }
  while (i < a.length) out.push({ op: "-", text: a[i++]! });
  while (j < b.length) out.push({ op: "+", text: b[j++]! });
  return out;
}

/** Unchanged lines left out of a shown diff: how many, where they were. */
export interface Skipped {
  op: "skip";
  count: number;
}

/** The changed lines with `context` unchanged lines around each run of them; longer unchanged stretches become one Skipped. */
export function withContext(diff: readonly DiffLine[], context = 3): (DiffLine | Skipped)[] {
  const near = diff.map(() => false);
  diff.forEach((line, i) => {
    if (line.op === " ") return;
    for (let j = Math.max(0, i - context); j <= Math.min(diff.length - 1, i + context); j++) near[j] = true;
  });
  const out: (DiffLine | Skipped)[] = [];
  diff.forEach((line, i) => {
    if (near[i]) return void out.push(line);
    const last = out.at(-1);
    if (last?.op === "skip") last.count++;
    else out.push({ op: "skip", count: 1 });
  });
  return out;
}
