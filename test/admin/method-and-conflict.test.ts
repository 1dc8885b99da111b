// A route asked with the wrong method answers 405 with Allow (not 404); a reload refused because one is under way answers 409.
import { expect, test } from "bun:test";
import { AppError } from "../../src/errors.ts";
import { adminFixture, TOKEN } from "./admin-fixture.ts";

const auth = { Authorization: `Bearer ${TOKEN}` };

test("a wrong method is 405 E_METHOD with the methods the path answers; an unknown path stays 404", async () => {
  using fixture = adminFixture();
  const getReload = await fixture.request("/api/reload", { headers: auth });
  expect(getReload.status).toBe(405);
  expect(getReload.headers.get("allow")).toBe("POST");
  expect(((await getReload.json()) as { error: { code: string } }).error.code).toBe("E_METHOD");
  const postStatus = await fixture.request("/api/status", { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: "{}" });
  expect(postStatus.status).toBe(405);
  expect(postStatus.headers.get("allow")).toBe("GET, HEAD");
  const putTimer = await fixture.request("/api/timers/12/3", { method: "PUT", headers: auth });
  expect(putTimer.status).toBe(405);
  expect(putTimer.headers.get("allow")).toBe("DELETE");
  expect((await fixture.request("/api/nothing-here", { headers: auth })).status).toBe(404);
  expect((await fixture.request("/api/status", { method: "DELETE" })).status).toBe(401);
});

test("a reload while one of the same group is under way is 409 E_CONFLICT", async () => {
  using fixture = adminFixture();
  fixture.ctx.reload = async () => {
    throw new AppError("E_CONFLICT", 'a reload of group "web" is under way (reload 2): wait for it to end');
  };
  const response = await fixture.request("/api/reload", {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: "{}",
  });
  expect(response.status).toBe(409);
  expect(((await response.json()) as { error: { code: string; message: string } }).error).toMatchObject({
    code: "E_CONFLICT",
    message: expect.stringContaining("under way"),
  });
});
