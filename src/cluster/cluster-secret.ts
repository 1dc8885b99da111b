// Reads cluster.secretFile, the key every instance signs cluster commands with: owner-only (0600) and long enough, or the master does not start.
import { readFileSync, statSync } from "node:fs";
import { AppError } from "../errors.ts";

const MIN_CHARS = 32;

export function readClusterSecret(path: string | undefined): Buffer | null {
  if (path === undefined) return null;
  const field = "cluster.secretFile";
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode & 0o777;
    text = readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new AppError("E_CONFIG", `cannot read ${path}: ${(err as Error).message}; create it with: openssl rand -hex 32 > ${path} && chmod 600 ${path}`, {
      field,
    });
  }
  // Anyone who can read it can reload every instance: refuse to run with it open to the group or others.
  if (mode & 0o077) {
    throw new AppError("E_CONFIG", `${path} has mode 0${mode.toString(8)}: other users could read the cluster secret; run chmod 600 ${path}`, { field });
  }
  if (text.length < MIN_CHARS) {
    throw new AppError("E_CONFIG", `${path} holds ${text.length} characters, under ${MIN_CHARS}: write a longer secret, e.g. openssl rand -hex 32 > ${path}`, {
      field,
    });
  }
  return Buffer.from(text, "utf8");
}
