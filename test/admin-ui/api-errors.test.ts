// The dashboard reads the master's error body ({ error: { code, message, field? } }) into an ApiError and shows its sentence.
import { afterEach, describe, expect, test } from "bun:test";
import { api, ApiError, errorText } from "../../admin-ui/api.ts";
import type { ApiError as ApiErrorBody } from "../../src/admin/contract.ts";

const realFetch = globalThis.fetch;

/** The next fetch answers `body` with `status`, as the master would. */
function answer(status: number, body: unknown, statusText = ""): void {
  globalThis.fetch = (async () => Response.json(body, { status, statusText })) as unknown as typeof fetch;
}

async function refusal(): Promise<ApiError> {
  const err = await api("/api/x").catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("admin-ui api errors", () => {
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  test("a refusal keeps its status, code, field and sentence; the text is the sentence when it names the field", async () => {
    answer(400, { error: { code: "E_USAGE", message: 'limit must be a whole number from 1 to 1000, not "0"', field: "limit" } } satisfies ApiErrorBody);
    const err = await refusal();
    expect([err.status, err.code, err.field]).toEqual([400, "E_USAGE", "limit"]);
    expect(errorText(err)).toBe('limit must be a whole number from 1 to 1000, not "0"');
  });

  test("a field the sentence does not mention is shown in front of it", async () => {
    answer(422, { error: { code: "E_CONFIG", message: "must be 1 or more", field: "workers[0].count" } } satisfies ApiErrorBody);
    expect(errorText(await refusal())).toBe("workers[0].count: must be 1 or more");
  });

  test("a body without the error shape (a proxy's page) falls back to the status", async () => {
    answer(502, { error: "a string from something that is not the master" }, "Bad Gateway");
    const err = await refusal();
    expect([err.code, errorText(err)]).toEqual([undefined, "502 Bad Gateway"]);
  });
});
