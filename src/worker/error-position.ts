// Finds where in the user's code a load error points: Bun's build/resolve messages, or the first stack frame in user files.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { SourcePosition } from "../ipc.ts";

/** Frames in these places are ours or the runtime's, never the user's. */
const PRODUCT_DIR = resolve(import.meta.dir, "..");
/**
 * The path must start the frame (`at /x.ts:1:2`) or its parentheses (`at f (/x.ts:1:2)`): the compiled executable's
 * inline source maps name the product's own frames relative (`at loadHandler (src/worker/load-handler.ts:27:17)`),
 * which an unanchored match took for `/worker/load-handler.ts`. A user's handler is always loaded by absolute path.
 */
const FRAME = /^\s+at (?:[^(]*\()?((?:\/|[A-Za-z]:\\)[^()]*?):(\d+):(\d+)\)?\s*$/;
/** At most this many errors of one load are kept, each cut to these lengths: a reason travels in IPC, records and events. */
const MAX_LOAD_ERRORS = 10;
const MAX_MESSAGE = 1000;
const MAX_LINE = 200;

/** One error of a failed load, with its position in the user's files when it has one. */
export interface LoadError {
  message: string;
  position: SourcePosition | null;
}

interface BunPosition {
  file?: string;
  line?: number;
  column?: number;
  lineText?: string;
}

/**
 * Every error a failed load carries: Bun reports a syntax error as one BuildMessage, or as an AggregateError
 * ("3 errors building ...") whose `errors` are BuildMessages with their own positions. The first is the one to name.
 */
export function loadErrors(err: unknown): LoadError[] {
  const inner = err !== null && typeof err === "object" ? (err as { errors?: unknown }).errors : undefined;
  const list = Array.isArray(inner) && inner.length > 0 ? inner : [err];
  return list.slice(0, MAX_LOAD_ERRORS).map((one) => {
    const position = errorPosition(one);
    return { message: clip(messageOf(one), MAX_MESSAGE), position: position && clippedLine(position) };
  });
}

function messageOf(err: unknown): string {
  const message = err !== null && typeof err === "object" ? (err as { message?: unknown }).message : undefined;
  return typeof message === "string" ? message : String(err);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * A minified file's one line can be megabytes: the source line is cut to a window around the column (the caret
 * stays under it), so a reason stays small in IPC, reload records and events.
 */
export function clippedLine(position: SourcePosition): SourcePosition {
  const { lineText, column } = position;
  if (lineText.length <= MAX_LINE) return position;
  const start = Math.max(0, Math.min(column - 1 - MAX_LINE / 2, lineText.length - MAX_LINE));
  const head = start > 0 ? "..." : "";
  const tail = start + MAX_LINE < lineText.length ? "..." : "";
  return { ...position, lineText: head + lineText.slice(start, start + MAX_LINE) + tail, column: column - start + head.length };
}

/** The position an error carries, or null when it points nowhere in the user's files. */
export function errorPosition(err: unknown): SourcePosition | null {
  if (err === null || typeof err !== "object") return null;
  const e = err as { position?: BunPosition | null; referrer?: string; specifier?: string; stack?: string };
  // BuildMessage (a syntax error): Bun gives the exact place, 1-based line and column.
  if (e.position?.file && e.position.line) {
    return {
      file: e.position.file,
      line: e.position.line,
      column: e.position.column ?? 1,
      // Bun cuts a long line to its first 120 characters, which may end before the column: read the line itself then.
      lineText:
        e.position.lineText !== undefined && (e.position.column ?? 1) <= e.position.lineText.length + 1
          ? e.position.lineText
          : readLine(e.position.file, e.position.line),
    };
  }
  // ResolveMessage (a missing module): the importing file, at the line that names the specifier.
  if (e.referrer && e.specifier) return importPosition(e.referrer, e.specifier);
  return typeof e.stack === "string" ? firstUserFrame(e.stack) : null;
}

/** The first frame of a stack that is neither the product's own code nor the runtime's. */
export function firstUserFrame(stack: string): SourcePosition | null {
  for (const line of stack.split("\n")) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const file = match[1]!;
    if (file.startsWith("/$bunfs/") || file.startsWith(PRODUCT_DIR + "/") || file.includes("/node_modules/")) continue;
    const lineNo = Number(match[2]);
    return { file, line: lineNo, column: Number(match[3]), lineText: readLine(file, lineNo) };
  }
  return null;
}

function importPosition(referrer: string, specifier: string): SourcePosition | null {
  const lines = readLines(referrer);
  for (const [i, text] of lines.entries()) {
    for (const quote of ['"', "'", "`"]) {
      const at = text.indexOf(quote + specifier + quote);
      if (at !== -1) return { file: referrer, line: i + 1, column: at + 1, lineText: text };
    }
  }
  return lines.length ? { file: referrer, line: 1, column: 1, lineText: lines[0]! } : null;
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n");
  } catch {
    return [];
  }
}

function readLine(file: string, line: number): string {
  return readLines(file)[line - 1] ?? "";
}
