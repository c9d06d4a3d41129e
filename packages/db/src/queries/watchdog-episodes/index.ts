// The queries of watchdog-episodes/, one statement per file; ../index.ts re-exports them.

export {
  listWatchedSchedules,
  type ListWatchedOptions,
  type WatchedSchedule,
} from "./list-watched.js";
export {
  describeScheduleSilence,
  type ScheduleSilence,
  type SilenceQuery,
} from "./describe-silence.js";
export {
  openWatchdogEpisodes,
  type OpenedEpisode,
  type SilentSchedule,
} from "./open.js";
export { closeWatchdogEpisodes, type ClosedEpisode } from "./close.js";
export {
  listWatchdogEpisodesToAlert,
  type EpisodeToAlert,
} from "./list-to-alert.js";
export { markWatchdogEpisodeAlerted } from "./mark-alerted.js";
export {
  listOpenWatchdogEpisodes,
  type ListOpenEpisodesOptions,
  type OpenWatchdogEpisode,
} from "./list-open.js";
export { countOpenWatchdogEpisodes } from "./count-open.js";
export { pruneClosedWatchdogEpisodes } from "./prune.js";
