// The admin token: made once at first start (32 random bytes, mode 0600), or read from admin.tokenFile.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createHash, timingSafeEqual } from "node:crypto";
import type { AppConfig } from "../config/types.ts";
import { AppError } from "../errors.ts";

export function tokenPath(config: AppConfig): string {
  return tokenPathOf(config.dataDir, config.admin.tokenFile);
}

/** admin.tokenFile, or the token the master generated in dataDir. */
export function tokenPathOf(dataDir: string, tokenFile: string | undefined): string {
  return tokenFile ?? join(dataDir, "admin.token");
}

/** Reads the token, creating it first if this is the first start (never when admin.tokenFile is set). */
export function ensureToken(config: AppConfig): { token: string; path: string; created: boolean } {
  const path = tokenPath(config);
  if (existsSync(path)) {
    const token = readFileSync(path, "utf8").trim();
    if (token.length < 16)
      throw new AppError("E_CONFIG", `admin token in ${path} is shorter than 16 characters: put a long random secret there`, { field: "admin.tokenFile" });
    if ((statSync(path).mode & 0o077) !== 0) console.warn(`warning: ${path} is readable by other users; run: chmod 600 ${path}`);
    return { token, path, created: false };
  }
  if (config.admin.tokenFile)
    throw new AppError("E_CONFIG", `admin.tokenFile ${path} does not exist: create it with a random secret (chmod 600)`, { field: "admin.tokenFile" });
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
  writeFileSync(path, token + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
  return { token, path, created: true };
}

export function readToken(config: AppConfig): string {
  return readTokenAt(tokenPath(config));
}

export function readTokenAt(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    throw new AppError("E_NOT_RUNNING", `cannot read the admin token at ${path}: has the server been started with this config?`);
  }
}

/** Constant-time comparison, so response timing says nothing about how much of a guess was right (nor its length: both are hashed first). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length > 0;
}
