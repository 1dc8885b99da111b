import { expect, test } from "bun:test";
import { appJsonSchema, configJsonSchema } from "../../src/config/schema.ts";

test("the JSON Schema describes app.json as written", () => {
  const doc = configJsonSchema() as {
    $schema: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { description?: string; items?: Record<string, any> }>;
  };
  expect(doc.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  // Keys with defaults are optional for the writer.
  expect(doc.required.sort()).toEqual(["name", "workers"]);
  expect(doc.additionalProperties).toBe(false);
  const workers = doc.properties.workers!;
  expect(workers.description).toBe("The worker groups.");
  const group = workers.items!;
  expect(group.required.sort()).toEqual(["handler", "listen", "name"]);
  expect(group.additionalProperties).toBe(false);
  expect(group.properties.count).toMatchObject({ type: "integer", minimum: 1, default: 1 });
  expect(group.properties.maxPackageSize.default).toBe(10 * 1024 * 1024);
  expect(group.properties.count.description).toContain("hands the listening descriptor");
  expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
});

test("the schema applies defaults and rejects unknown keys", () => {
  const parsed = appJsonSchema.parse({ name: "a", workers: [{ name: "w", listen: "tcp://h:1", handler: "./h.ts" }] });
  expect(parsed.admin).toEqual({ listen: "127.0.0.1:9090", metricsPublic: false, allowRemote: false, maxConnections: 256 });
  expect(parsed.workers[0]!.socketMode).toBe(0o660);
  expect(appJsonSchema.safeParse({ name: "a", workers: [], extra: 1 }).success).toBe(false);
});
