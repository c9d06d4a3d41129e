import { z } from "zod";

/** Times in answers: ISO 8601 strings in UTC. */
export const Instant = z.string().meta({ format: "date-time" });
export const NullableInstant = Instant.nullable();
export const TriggerSource = z.enum([
  "schedule",
  "manual",
  "retry",
  "catchup",
  "backfill",
  "replay",
]);
