// Collects every problem found in app.json so the user sees them all at once, as one E_CONFIG error.
import { AppError, isAppError } from "../errors.ts";

export interface Problem {
  field?: string;
  message: string;
}

export class ConfigProblems {
  readonly list: Problem[] = [];

  add(field: string | undefined, message: string): void {
    this.list.push({ field, message });
  }

  /** Run `fn`; an E_CONFIG it throws becomes a problem at its own field or `field`; other errors propagate. */
  attempt<T>(field: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (!isAppError(err) || err.code !== "E_CONFIG") throw err;
      this.add(err.field ?? field, err.message);
      return undefined;
    }
  }

  /** One error: the field is the first problem's; the message lists the others one per line, each with its field. */
  throwIfAny(): void {
    const [first, ...rest] = this.list;
    if (first === undefined) return;
    const others = rest.map((p) => `\n${p.field ? `${p.field}: ` : ""}${p.message}`).join("");
    throw new AppError("E_CONFIG", first.message + others, { field: first.field });
  }
}

/** `workers[1].listen` from a path like ["workers", 1, "listen"]. */
export function formatField(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}
