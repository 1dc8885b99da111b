// How to run this program again: the compiled executable alone, or bun plus the entry script under `bun run`.
import { basename } from "node:path";

/** True inside the executable built by build.ts (its modules live in Bun's embedded file system). */
export function isCompiled(): boolean {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:/~BUN/");
}

/** argv prefix that starts this program again; without Bun.main under `bun run` the child would silently run nothing. */
export function selfCommand(): string[] {
  if (isCompiled()) return [process.execPath];
  const runner = basename(process.execPath).startsWith("bun") ? process.execPath : "bun";
  return [runner, Bun.main];
}
