// Reads an action's JSON body against its schema; a browser session must also label it application/json.
import type { Context } from "hono";
import type { z } from "zod";
import type { AdminEnv } from "./context.ts";
import { errorBody } from "./error-body.ts";

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

/**
 * A JSON Content-Type cannot be sent cross-origin without a CORS preflight (which this server never grants), so for
 * browser sessions it backs up the Origin check. Token clients (curl, scripts) may omit it; the body must still be JSON.
 * An empty body reads as {}.
 */
export async function readJsonBody<S extends z.ZodType>(c: Context<AdminEnv>, schema: S): Promise<BodyResult<z.output<S>>> {
  const type = c.req.header("content-type") ?? "";
  if (c.get("auth") !== "token" && !/^application\/json\s*(;|$)/i.test(type)) {
    return { ok: false, response: c.json(errorBody("E_MEDIA_TYPE", "send the body as JSON with Content-Type: application/json"), 415) };
  }
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, response: c.json(errorBody("E_USAGE", "the body is not valid JSON"), 400) };
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : undefined;
    return { ok: false, response: c.json(errorBody("E_USAGE", `bad body: ${field ? `${field}: ` : ""}${issue.message}`, field), 400) };
  }
  return { ok: true, value: parsed.data };
}
