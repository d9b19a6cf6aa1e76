/**
 * Schema migrations, applied in order inside one transaction each. Append only: a shipped migration never changes.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE guilds (
        id TEXT PRIMARY KEY,
        game TEXT NOT NULL CHECK (game IN ('wos', 'kingshot')),
        default_state INTEGER,
        auto_redeem INTEGER NOT NULL DEFAULT 1,
        result_channel_id TEXT,
        codes_channel_id TEXT,
        admin_role_id TEXT,
        fanout_priority INTEGER NOT NULL DEFAULT 100,
        name TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE members (
        guild_id TEXT NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
        fid TEXT NOT NULL,
        state INTEGER,
        -- unknown: no state yet; ok: given or confirmed; wrong: the game said fid and state do not match
        state_status TEXT NOT NULL DEFAULT 'ok' CHECK (state_status IN ('unknown', 'ok', 'wrong')),
        name TEXT,
        added_by TEXT,
        added_at INTEGER NOT NULL,
        removed_at INTEGER,
        PRIMARY KEY (guild_id, fid)
      );

      CREATE TABLE codes (
        game TEXT NOT NULL,
        code TEXT NOT NULL,
        -- new: not yet checked; valid: checked or redeemed; expired / invalid / used_up: never run again
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'valid', 'expired', 'invalid', 'used_up')),
        source TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        status_changed_at INTEGER NOT NULL,
        validation_err_code INTEGER,
        validation_msg TEXT,
        fanout_done_at INTEGER,
        recheck_count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (game, code)
      );

      -- The ledger: one row per (player, code). Keyed by game and fid, not guild, so a player on two rosters is still
      -- called once.
      CREATE TABLE ledger (
        game TEXT NOT NULL,
        fid TEXT NOT NULL,
        code TEXT NOT NULL,
        -- pending: claimed, call under way (or the process died); retry: last answer transient;
        -- success / already / failed: final
        status TEXT NOT NULL CHECK (status IN ('pending', 'retry', 'success', 'already', 'failed')),
        reason TEXT,
        err_code INTEGER,
        msg TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        guild_id TEXT NOT NULL,
        fence INTEGER NOT NULL,
        run_id INTEGER,
        claimed_at INTEGER,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        PRIMARY KEY (game, fid, code)
      );
      CREATE INDEX ledger_by_code ON ledger (game, code, status);

      -- Fencing tokens issued by the store: each run of (guild, code) takes the next one; claims and records from an
      -- older run are refused.
      CREATE TABLE fences (
        guild_id TEXT NOT NULL,
        game TEXT NOT NULL,
        code TEXT NOT NULL,
        fence INTEGER NOT NULL,
        PRIMARY KEY (guild_id, game, code)
      );

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id TEXT NOT NULL,
        game TEXT NOT NULL,
        code TEXT NOT NULL,
        trigger TEXT NOT NULL,
        fence INTEGER NOT NULL,
        owner TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        -- running until it ends; interrupted when its process died or stopped before the end
        outcome TEXT NOT NULL DEFAULT 'running',
        counts TEXT,
        message TEXT
      );
      CREATE INDEX runs_by_guild_code ON runs (guild_id, game, code);
      CREATE INDEX runs_running ON runs (outcome);
    `,
  },
  {
    version: 20,
    name: 'states a player is known not to be in (state discovery)',
    sql: `
      -- One row per state the game answered USER INFO ERROR (40020) for, while searching a player's state. Kept per
      -- player (the state is the player's, whichever roster they are on), so a search resumes after a restart without
      -- probing the same state twice; cleared once the state is found.
      CREATE TABLE wrong_states (
        game TEXT NOT NULL,
        fid TEXT NOT NULL,
        kid INTEGER NOT NULL,
        err_code INTEGER,
        msg TEXT,
        probed_at INTEGER NOT NULL,
        PRIMARY KEY (game, fid, kid)
      );
    `,
  },
  {
    version: 10,
    name: 'codes: when the fan-out of a discovered code started',
    sql: `
      -- Set by code discovery when it takes a code on (validate, then redeem everywhere). Started but not done
      -- (fanout_done_at NULL) is a fan-out a stop or crash cut short: it resumes on start-up. Codes known only from
      -- a manual run or an import have no start and are not fanned out behind the operator's back.
      ALTER TABLE codes ADD COLUMN fanout_started_at INTEGER;
    `,
  },
  {
    version: 30,
    name: 'deferred runs (the shared lock was unreachable)',
    sql: `
      -- A run that could not start because the shared lock (Redis) did not answer, or that lost its lock mid-run. Any
      -- giftbot process sharing this file retries it with backoff once Redis answers; one row per (guild, code), so
      -- triggers from several processes merge. fids: JSON array of the members asked for, NULL for everyone.
      CREATE TABLE deferred_runs (
        guild_id TEXT NOT NULL,
        game TEXT NOT NULL,
        code TEXT NOT NULL,
        trigger TEXT NOT NULL,
        fids TEXT,
        reason TEXT,
        deferred_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        -- bumped whenever a trigger is merged in: a retry removes the row only if nothing new arrived meanwhile
        version INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (guild_id, game, code)
      );
      CREATE INDEX deferred_runs_due ON deferred_runs (next_attempt_at);
    `,
  },
  {
    version: 40,
    name: 'one spelling for statuses: used-up, code-invalid, config-error',
    sql: `
      -- The classifier, the summaries and the store now spell every status with a hyphen. SQLite cannot change a CHECK
      -- constraint in place, so the codes table is rebuilt with its rows (nothing references it).
      CREATE TABLE codes_v40 (
        game TEXT NOT NULL,
        code TEXT NOT NULL,
        -- new: not yet checked; valid: checked or redeemed; expired / invalid / used-up: never run again
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'valid', 'expired', 'invalid', 'used-up')),
        source TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        status_changed_at INTEGER NOT NULL,
        validation_err_code INTEGER,
        validation_msg TEXT,
        fanout_done_at INTEGER,
        recheck_count INTEGER NOT NULL DEFAULT 0,
        fanout_started_at INTEGER,
        PRIMARY KEY (game, code)
      );
      INSERT INTO codes_v40 (game, code, status, source, first_seen_at, status_changed_at, validation_err_code,
                             validation_msg, fanout_done_at, recheck_count, fanout_started_at)
        SELECT game, code, CASE status WHEN 'used_up' THEN 'used-up' ELSE status END, source, first_seen_at,
               status_changed_at, validation_err_code, validation_msg, fanout_done_at, recheck_count, fanout_started_at
        FROM codes;
      DROP TABLE codes;
      ALTER TABLE codes_v40 RENAME TO codes;
      UPDATE runs SET outcome = 'code-invalid' WHERE outcome = 'code_invalid';
      UPDATE runs SET outcome = 'config-error' WHERE outcome = 'config_error';
    `,
  },
  {
    version: 50,
    name: 'answer journal (every answer the game gave, before the ledger row)',
    sql: `
      -- Append-only: one row per answer the game gave to a redemption call, written before the ledger row and never
      -- refused (no fence check), so an answer whose ledger write was refused (a superseded run, a full disk) is kept
      -- for an operator to reconcile. Never updated or deleted by giftbot.
      CREATE TABLE answer_journal (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER,
        fence INTEGER NOT NULL,
        guild_id TEXT NOT NULL,
        game TEXT NOT NULL,
        fid TEXT NOT NULL,
        code TEXT NOT NULL,
        http_status INTEGER,
        err_code INTEGER,
        msg TEXT,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX answer_journal_code ON answer_journal (game, code);
      CREATE INDEX answer_journal_at ON answer_journal (at);
    `,
  },
  {
    version: 60,
    name: 'alliances: several per server, each with its game, state, channels and roster',
    sql: `
      -- A server (guilds) holds any number of alliances; an alliance carries what a guild row carried (game, state,
      -- auto-redeem, channels, priority). Removed alliances are kept (removed_at) so runs and history still name them.
      CREATE TABLE alliances (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id TEXT NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        game TEXT NOT NULL CHECK (game IN ('wos', 'kingshot')),
        default_state INTEGER,
        auto_redeem INTEGER NOT NULL DEFAULT 1,
        result_channel_id TEXT,
        codes_channel_id TEXT,
        fanout_priority INTEGER NOT NULL DEFAULT 100,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        removed_at INTEGER
      );
      CREATE UNIQUE INDEX alliances_name ON alliances (guild_id, lower(name)) WHERE removed_at IS NULL;
      CREATE INDEX alliances_by_guild ON alliances (guild_id);

      -- Each existing server becomes one alliance, named after the server (or "main"), with the server's settings.
      -- The legacy columns of guilds stay but are no longer read.
      INSERT INTO alliances (guild_id, name, game, default_state, auto_redeem, result_channel_id, codes_channel_id,
                             fanout_priority, created_at, updated_at)
        SELECT id, COALESCE(NULLIF(trim(name), ''), 'main'), game, default_state, auto_redeem, result_channel_id,
               codes_channel_id, fanout_priority, created_at, updated_at
        FROM guilds ORDER BY created_at, id;

      -- The roster stays keyed by (guild_id, fid): a player is on at most one alliance's roster per server.
      ALTER TABLE members ADD COLUMN alliance_id INTEGER REFERENCES alliances(id);
      UPDATE members SET alliance_id = (SELECT a.id FROM alliances a WHERE a.guild_id = members.guild_id);
      CREATE INDEX members_by_alliance ON members (alliance_id);

      -- JSON text arrays of alliance ids. runs: the alliances a run covered (NULL for runs from before this change);
      -- deferred_runs: the alliances asked for, NULL for every alliance of the code's game in the server.
      ALTER TABLE runs ADD COLUMN alliance_ids TEXT;
      ALTER TABLE deferred_runs ADD COLUMN alliance_ids TEXT;
    `,
  },
  {
    version: 70,
    name: 'members help themselves: links of Discord users to players, alliances.self_join',
    sql: `
      -- A Discord user linked to their player (/me link). One player per user per server, one user per player: a
      -- player linked to someone else is not taken over. Removing the link (/me unlink) deletes the row; the ledger
      -- (the player's history) is per player and stays.
      CREATE TABLE member_links (
        guild_id TEXT NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
        game TEXT NOT NULL CHECK (game IN ('wos', 'kingshot')),
        fid TEXT NOT NULL,
        user_id TEXT NOT NULL,
        -- 1: a direct message when a code was redeemed for the player
        notify INTEGER NOT NULL DEFAULT 0,
        -- when a DM was refused (DMs closed): not tried again until notify is turned on again
        dm_closed_at INTEGER,
        linked_at INTEGER NOT NULL,
        PRIMARY KEY (guild_id, fid)
      );
      CREATE UNIQUE INDEX member_links_user ON member_links (guild_id, user_id);
      CREATE INDEX member_links_player ON member_links (game, fid);

      -- Who may join an alliance with /me link: open (at once), approve (an admin approves), off.
      ALTER TABLE alliances ADD COLUMN self_join TEXT NOT NULL DEFAULT 'approve'
        CHECK (self_join IN ('open', 'approve', 'off'));
    `,
  },
  {
    version: 80,
    name: 'languages: alliances.language, member_links.locale',
    sql: `
      -- The language of an alliance's channel posts (a catalogue language such as de or pt-BR); NULL: the server's
      -- preferred locale.
      ALTER TABLE alliances ADD COLUMN language TEXT;
      -- The Discord locale of the member's last /me command: their DMs speak it (a DM has no locale of its own).
      ALTER TABLE member_links ADD COLUMN locale TEXT;
    `,
  },
];
