// The microservice's shared token: created once, at first start, in a 0600 file; compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Reads the token file, or creates it; with several processes starting at once exactly one creates it. */
export function loadOrCreateToken(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  try {
    // "wx": fails if the file exists, so two processes never both write a token.
    const fd = openSync(path, "wx", 0o600);
    const token = randomBytes(32).toString("hex");
    writeSync(fd, `${token}\n`);
    closeSync(fd);
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  // The process that created it may still be writing.
  for (let i = 0; i < 100; i++) {
    const token = readFileSync(path, "utf8").trim();
    if (token) return token;
    Bun.sleepSync(10);
  }
  throw new Error(`token file ${path} stays empty: delete it and restart`);
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Hashing first gives equal lengths, so the comparison time says nothing about the token. */
export function tokenMatches(expected: string, given: unknown): boolean {
  return typeof given === "string" && timingSafeEqual(digest(expected), digest(given));
}
