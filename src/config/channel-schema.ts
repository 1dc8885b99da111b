// The app.json section of the worker channel (src/channel/): group history, its sizes and per-group rules; schema.ts includes it.
import { z } from "zod";

const MiB = 1024 * 1024;

const historySize = z
  .number()
  .int("must be a whole number of messages")
  .min(0, "must be 0 (keep none) or more messages")
  .max(100_000, "must be at most 100000 messages per group (history is held in memory or Redis)");
const historyTtl = z
  .number()
  .int("must be a whole number of seconds")
  .min(1, "must be at least 1 second")
  .max(7 * 24 * 3600, "must be at most 604800 seconds (7 days)");

const historyBytes = z
  .number()
  .int("must be a whole number of bytes")
  .min(1, "must be at least 1 byte")
  .max(1024 * MiB, "must be at most 1073741824 bytes (1 GiB)");

export const historyRuleSchema = z
  .strictObject({
    match: z
      .string()
      .min(1, 'must be a group name or a pattern with "*", like "room:*"')
      .describe('A group name, or a pattern where "*" matches any run of characters ("room:*").'),
    size: historySize.describe("Messages kept per group matching this rule (0: none)."),
    ttlSeconds: historyTtl.describe("Seconds a kept message stays recoverable."),
    maxBytes: historyBytes.optional().describe("Bytes kept per group matching this rule (default: channel.history.maxBytes)."),
  })
  .describe("History for the groups this rule matches; the first matching rule wins.");

export const channelSchema = z
  .strictObject({
    history: z
      .strictObject({
        size: historySize.describe("Messages kept per group (the last N published with publishToGroup; 0: none)."),
        ttlSeconds: historyTtl.describe("Seconds a kept message stays recoverable."),
        maxBytes: historyBytes
          .default(8 * MiB)
          .describe("Bytes of message data kept per group: past it the oldest go first (a message larger than this is delivered, not kept)."),
        maxTotalBytes: historyBytes
          .default(64 * MiB)
          .describe("Bytes kept over all groups in the master's memory (one host, or Redis out of reach): past it the oldest go first, whatever their group."),
        groups: z.array(historyRuleSchema).default([]).describe("Per group name pattern overrides of size, ttlSeconds and maxBytes."),
      })
      .optional()
      .describe("Group history for channel.publishToGroup / recover: kept in the master, or in Redis with cluster.redis."),
  })
  .describe("The worker channel (uids, groups, topics).");
