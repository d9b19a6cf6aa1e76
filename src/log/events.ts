/**
 * The catalogue of log events. Every line giftbot writes carries exactly one of these as `event`, so operators can
 * grep, alert and analyse on stable names. Add new names here; never rename one that shipped.
 */
export const EVENTS = {
  // start-up and shutdown
  appStarting: 'app.starting',
  appReady: 'app.ready',
  appStopping: 'app.stopping',
  appStopped: 'app.stopped',
  configInvalid: 'config.invalid',
  demoStarting: 'demo.starting',
  storeMigrated: 'store.migrated',
  storeDatabase: 'store.database',
  storeOpened: 'store.opened',
  storeOpenFailed: 'store.open_failed',
  dbMigrateTo: 'db.migrate_to',

  // the redemption engine
  lockAcquired: 'redeem.lock_acquired',
  runWaitedForPreviousHolder: 'redeem.waited_for_previous_holder',
  answersAdopted: 'redeem.answers_adopted',
  lockReleased: 'redeem.lock_released',
  duplicateSkipped: 'redeem.duplicate_skipped',
  rerunQueued: 'redeem.rerun_queued',
  runStarted: 'redeem.run_started',
  memberResult: 'redeem.member_result',
  memberRetry: 'redeem.member_retry',
  memberSkipped: 'redeem.member_skipped',
  codeInvalidated: 'redeem.code_invalidated',
  configError: 'redeem.config_error',
  runFinished: 'redeem.run_finished',
  runFailed: 'redeem.run_failed',
  runRefused: 'redeem.run_refused',
  staleFence: 'redeem.stale_fence',
  answerNotRecorded: 'redeem.answer_not_recorded',
  journalFailed: 'redeem.journal_failed',
  retryScheduled: 'redeem.retry_scheduled',
  runListenerFailed: 'redeem.listener_failed',

  // distributed lock (Redis)
  lockBusy: 'redeem.lock_busy',
  lockLost: 'redeem.lock_lost',
  lockReleaseNotOwner: 'redeem.lock_release_not_owner',
  lockUnavailable: 'redeem.lock_unavailable',
  runDeferred: 'redeem.run_deferred',
  deferredRetry: 'redeem.deferred_retry',
  deferredDone: 'redeem.deferred_done',

  // several processes: Redis reachability and the shared budget
  redisUnavailable: 'redis.unavailable',
  redisRecovered: 'redis.recovered',
  budgetFallback: 'budget.fallback',
  budgetShared: 'budget.shared',
  spacingLocal: 'spacing.local',

  // the game API and its budget
  apiCall: 'api.call',
  apiRateLimited: 'api.rate_limited',
  apiBudgetAdjusted: 'api.budget_adjusted',
  apiPauseCapped: 'api.pause_capped',

  // code discovery
  codeDiscovered: 'code.discovered',
  codeRejected: 'code.rejected',
  codeKnown: 'code.known',
  codeValidated: 'code.validated',
  codeFanout: 'code.fanout',
  codeFirstRedeem: 'code.first_redeem',
  feedPollOk: 'feed.poll_ok',
  feedPollFailed: 'feed.poll_failed',
  feedStateChanged: 'feed.state_changed',
  feedEntrySkipped: 'feed.entry_skipped',
  feedCodesCapped: 'feed.codes_capped',
  codeResumed: 'code.resumed',
  codeCatchUp: 'code.catch_up',
  codeChannelFailed: 'code.channel_failed',

  // members: state discovery and imports
  stateDiscoveryStarted: 'state.discovery_started',
  stateProbe: 'state.probe',
  stateFound: 'state.found',
  stateNotFound: 'state.not_found',
  statePlayerMissing: 'state.player_missing',
  stateDiscoveryFinished: 'state.discovery_finished',
  stateProgressFailed: 'state.progress_failed',
  stateDiscoveryFailed: 'state.discovery_failed',
  importStarted: 'import.started',
  importFinished: 'import.finished',
  importFailed: 'import.failed',

  // Discord
  discordReady: 'discord.ready',
  discordCommand: 'discord.command',
  discordCommandRefused: 'discord.command_refused',
  discordCommandFailed: 'discord.command_failed',
  discordCommandsRegistered: 'discord.commands_registered',
  discordPostFailed: 'discord.post_failed',
  discordLoginFailed: 'discord.login_failed',
  discordClientError: 'discord.client_error',
  discordGuildJoined: 'discord.guild_joined',
  discordGuildLeft: 'discord.guild_left',
  discordProgressMoved: 'discord.progress_moved',
  discordRunReported: 'discord.run_reported',
  discordImport: 'discord.import',

  // operations
  stuck: 'ops.stuck',
  healthChanged: 'ops.health_changed',
  opsServerListening: 'ops.server_listening',
  logFormatFallback: 'ops.log_format_fallback',
  shutdownTimeout: 'app.shutdown_timeout',
  shutdownForced: 'app.shutdown_forced',
  status: 'ops.status',

  // members help themselves (/me) and history exports
  selfServiceProbe: 'self.probe',
  selfServiceLinked: 'self.linked',
  selfServiceRefused: 'self.refused',
  selfServiceApproval: 'self.approval',
  selfServiceUnlinked: 'self.unlinked',
  selfServiceSearch: 'self.state_search',
  selfServiceDmSent: 'self.dm_sent',
  selfServiceDmClosed: 'self.dm_closed',
  selfServiceDmFailed: 'self.dm_failed',
  historyExported: 'history.exported',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];
