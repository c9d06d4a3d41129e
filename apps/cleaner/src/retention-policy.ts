import type { JsonValue, RetentionPolicy } from "@vigil/db";

export interface ResolvedPolicy {
  policy: RetentionPolicy;
  /** Override keys that were present but not usable (ignored, the default applies). */
  ignored: string[];
}

const LIMITS = {
  keep_last: 1_000_000,
  max_age_days: 36_500,
  failed_max_age_days: 36_500,
} as const;
type OverrideKey = keyof typeof LIMITS;

/**
 * A project's retention: its `config.retention` override (as in @vigil/contracts'
 * RetentionConfigSchema) key by key over the env defaults. The API validates the override on
 * write; rows written past it are read defensively here, and an unusable value falls back to
 * the default instead of stopping the pass for every project.
 */
export function resolveRetentionPolicy(
  defaults: RetentionPolicy,
  override: JsonValue | null,
): ResolvedPolicy {
  const ignored: string[] = [];
  const source =
    override !== null &&
    typeof override === "object" &&
    !Array.isArray(override)
      ? override
      : {};
  const pick = (key: OverrideKey): number | undefined => {
    const value = source[key];
    if (value === undefined || value === null) {
      return undefined;
    }
    if (
      typeof value === "number" &&
      Number.isInteger(value) &&
      value >= 1 &&
      value <= LIMITS[key]
    ) {
      return value;
    }
    ignored.push(key);
    return undefined;
  };
  return {
    policy: {
      keepLast: pick("keep_last") ?? defaults.keepLast,
      maxAgeDays: pick("max_age_days") ?? defaults.maxAgeDays,
      failedMaxAgeDays:
        pick("failed_max_age_days") ?? defaults.failedMaxAgeDays,
    },
    ignored,
  };
}
