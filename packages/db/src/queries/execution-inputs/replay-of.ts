import type { Db } from "../../pool.js";

/** The execution a trigger replays (`triggers.replay_of`); null when it is not a replay or gone. */
export async function getReplayOf(
  db: Db,
  triggerId: number,
): Promise<number | null> {
  const row = await db
    .selectFrom("triggers")
    .select("replay_of")
    .where("id", "=", triggerId)
    .executeTakeFirst();
  return row?.replay_of ?? null;
}
