// The app.json section that bounds worker.shared (src/key-value/), kept beside schema.ts, which includes it.
import { z } from "zod";

export const sharedSchema = z
  .strictObject({
    maxKeys: z
      .number()
      .int("must be a whole number of keys")
      .min(1, "must be at least 1 key")
      .max(10_000_000, "must be at most 10000000 keys")
      .default(100_000)
      .describe("Keys worker.shared holds at most (expired ones do not count); past it a set of a new key fails with E_LIMIT."),
    maxValueBytes: z
      .number()
      .int("must be a whole number of bytes")
      .min(16, "must be at least 16 bytes")
      .max(8 * 1024 * 1024, "must be at most 8388608 bytes (8 MiB): larger values belong in files or a database")
      .default(64 * 1024)
      .describe("Bytes of one worker.shared value as JSON; past it set and compareAndSet fail with E_LIMIT."),
  })
  .describe("worker.shared, the key-value store every process of the app reaches: kept by the master (in store.db), or in Redis with cluster.redis.");
