// Resolves a worker's protocol name to a Protocol: a built-in, or a user module loaded from an absolute path.
import { isAbsolute } from "node:path";
import { AppError } from "../errors.ts";
import { frameProtocol } from "./frame.ts";
import { jsonProtocol } from "./json.ts";
import type { Protocol } from "./protocol.ts";
import { textProtocol } from "./text.ts";

export const builtinProtocols = { text: textProtocol, frame: frameProtocol, json: jsonProtocol };

export type BuiltinProtocolName = keyof typeof builtinProtocols;

const METHODS = ["input", "decode", "encode"] as const;

/** The built-in protocol a listen scheme implies ("text", "text:" or "text://" -> "text"), if any. */
export function builtinProtocolFor(scheme: string): "text" | "frame" | undefined {
  const name = scheme.replace(/:(\/\/)?$/, "");
  return name === "text" || name === "frame" ? name : undefined;
}

/** "text" | "frame" | "json", or an absolute path (the config resolves relative ones) to a module. */
export async function loadProtocol(name: string): Promise<Protocol> {
  if (Object.hasOwn(builtinProtocols, name)) return builtinProtocols[name as BuiltinProtocolName];
  if (!isAbsolute(name)) {
    throw new AppError("E_CONFIG", `unknown protocol "${name}" (expected text, frame, json, ` + "or the path of a module exporting input, decode and encode)");
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(name);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AppError("E_CONFIG", `cannot load protocol module ${name}: ${reason}`, { cause });
  }
  return protocolFrom(mod, name);
}

type Candidate = Record<string, unknown>;

function missing(candidate: Candidate): string[] {
  return METHODS.filter((method) => typeof candidate[method] !== "function");
}

/** Workerman style: a default export (object, or class with static methods) or named exports. */
function protocolFrom(mod: Candidate, path: string): Protocol {
  const candidates: Candidate[] = [mod];
  const fallback = mod.default;
  if ((typeof fallback === "object" && fallback !== null) || typeof fallback === "function") {
    candidates.unshift(fallback as Candidate);
  }
  const best = candidates.reduce((a, b) => (missing(b).length < missing(a).length ? b : a));
  const absent = missing(best);
  if (absent.length > 0) {
    throw new AppError("E_CONFIG", `protocol module ${path} must export input, decode and encode functions (missing: ${absent.join(", ")})`);
  }
  const user = best as unknown as Protocol;
  // Calls go through the module's object so `this` still works, and no built-in fast path is borrowed by accident.
  return {
    input: (buffer, conn) => user.input(buffer, conn),
    decode: (packet, conn) => user.decode(packet, conn),
    encode: (message, conn) => user.encode(message, conn),
  };
}
