// The schema check of a parsed app.json (zod), with every shape problem named by field, then the resolution.
import { ConfigProblems } from "./problems.ts";
import { resolveConfig } from "./resolve-config.ts";
import { appJsonSchema, type RawAppJson } from "./schema.ts";
import type { AppConfig } from "./types.ts";
import { addZodIssues } from "./zod-issues.ts";

/** The data with defaults filled in, or one E_CONFIG naming every field that is wrong. */
export function checkShape(raw: unknown): RawAppJson {
  const parsed = appJsonSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // Later checks assume the shape is right, so shape problems are reported on their own.
    const problems = new ConfigProblems();
    addZodIssues(parsed.error.issues, appJsonSchema, problems);
    problems.throwIfAny();
  }
  return parsed.data as RawAppJson;
}

/** Validate an already parsed app.json; `configPath` anchors its relative paths. Checks files on disk. */
export function validateConfigObject(raw: unknown, configPath: string): AppConfig {
  return resolveConfig(checkShape(raw), configPath);
}
