-- Ownership: SLA clocks, business calendars, assignment, commitments,
-- escalations and notifications. Times are unix microseconds in UTC (0 for
-- "never"), as in 00001. Keep in step with ../postgres/00006_ownership.sql.
--
-- Durable timers live on the rows they belong to: sla_due_at on a
-- conversation, next_timer_at on a commitment and an escalation. The
-- scheduler reads the due ones through the partial indexes below, and
-- firing a timer moves or clears it in the same transaction, so it fires
-- once however many nodes look.

-- +goose Up
-- sla is the JSON of the clocks (empty when no policy applies); sla_state
-- their summary; sla_due_at when a running clock next warns or breaches.
ALTER TABLE conversations ADD COLUMN sla TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN sla_state TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN sla_due_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
-- The timer indexes end in id so that DueTimers reads them in its own order,
-- (due time, id), and stops at its limit without sorting.
CREATE INDEX conversations_sla_timer ON conversations (sla_due_at, id) WHERE sla_due_at > 0;
-- The watchdog's lists of unsolved conversations, each small by design.
-- Watch names each predicate in its query word for word: SQLite uses a
-- partial index only for a query whose WHERE holds its predicate's terms.
CREATE INDEX conversations_sla_risk ON conversations (sla_state, sla_due_at, id)
    WHERE sla_state IN ('warning', 'breached') AND status IN ('open', 'pending', 'on_hold');
CREATE INDEX conversations_waiting ON conversations (waiting_since, id)
    WHERE waiting_since > 0 AND status = 'open';
CREATE INDEX conversations_handoffs ON conversations (updated_at, id)
    WHERE handoff_count >= 3 AND status IN ('open', 'pending', 'on_hold');
CREATE INDEX conversations_reopened ON conversations (updated_at, id)
    WHERE reopen_count > 0 AND status IN ('open', 'pending', 'on_hold');
CREATE INDEX conversations_escalated ON conversations (updated_at, id)
    WHERE escalated = 1 AND status IN ('open', 'pending', 'on_hold');

-- capacity bounds an agent's open conversations for assignment (0: no
-- bound); last_seen_at drives auto-away.
ALTER TABLE users ADD COLUMN capacity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE calendars (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    spec       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- A team's lead owns its queue: conversations no agent can take go to them,
-- and alerts about the team reach them. calendar_id names the business
-- calendar its SLA clocks count in (NULL: the default calendar), so a team
-- whose calendar is deleted falls back to the default.
ALTER TABLE teams ADD COLUMN lead_id TEXT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE teams ADD COLUMN calendar_id TEXT REFERENCES calendars (id) ON DELETE SET NULL;

-- team_id NULL is the default policy; targets is JSON.
CREATE TABLE sla_policies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    team_id    TEXT REFERENCES teams (id) ON DELETE CASCADE,
    warn_share REAL NOT NULL,
    targets    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX sla_policies_team ON sla_policies (COALESCE(team_id, ''));

-- conditions is JSON (channels, mailbox ids, reasons, languages,
-- priorities); rr_last is the user the rule's round robin picked last.
CREATE TABLE assignment_rules (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    team_id    TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    strategy   TEXT NOT NULL,
    conditions TEXT NOT NULL,
    active     INTEGER NOT NULL,
    rr_last    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE commitments (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    owner_id        TEXT NOT NULL REFERENCES users (id),
    text            TEXT NOT NULL,
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    reminded_at     INTEGER NOT NULL,
    escalated_at    INTEGER NOT NULL,
    resolved_at     INTEGER NOT NULL,
    next_timer_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX commitments_conversation ON commitments (conversation_id, due_at, id);
CREATE INDEX commitments_open ON commitments (due_at, id) WHERE state = 'open';
CREATE INDEX commitments_owner ON commitments (owner_id, state, due_at, id);
-- Agents' kept and missed rates read the commitments resolved lately.
CREATE INDEX commitments_resolved ON commitments (resolved_at, state, owner_id);
CREATE INDEX commitments_timer ON commitments (next_timer_at, id) WHERE next_timer_at > 0;

CREATE TABLE escalations (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    owner_id        TEXT REFERENCES users (id),
    reason          TEXT NOT NULL,
    source          TEXT NOT NULL,
    due_at          INTEGER NOT NULL,
    responded_at    INTEGER NOT NULL,
    breached_at     INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER NOT NULL,
    resolution      TEXT NOT NULL,
    next_timer_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX escalations_conversation ON escalations (conversation_id, created_at, id);
CREATE UNIQUE INDEX escalations_one_open ON escalations (conversation_id) WHERE resolved_at = 0;
-- An agent's load counts the escalations opened today (WorkSince).
CREATE INDEX escalations_created ON escalations (created_at, conversation_id);
CREATE INDEX escalations_timer ON escalations (next_timer_at, id) WHERE next_timer_at > 0;

CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    data            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    read_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX notifications_user ON notifications (user_id, created_at, id);
-- Unread notifications are listed newest first too, so their index has the
-- same order as notifications_user.
CREATE INDEX notifications_unread ON notifications (user_id, created_at, id) WHERE read_at = 0;

-- An agent's load counts the conversations they replied in today
-- (WorkSince); without this index that reads every message ever stored.
-- It holds the agents' replies only, so intake, which stores the customers'
-- messages, never writes to it, and it covers the query.
CREATE INDEX messages_agent_replies ON messages (created_at, author_id, conversation_id)
    WHERE direction = 'outbound' AND author_type = 'agent';

-- The default SLA policy (P3), which admins edit: email and web forms
-- answered within 4 business hours (2 for high priority, 1 for urgent),
-- each later message within 8, solved within 3 business days of 9 hours;
-- WhatsApp and Telegram within a business hour; chat within a minute and
-- phone within 20 seconds, in calendar time.
INSERT INTO sla_policies (id, name, team_id, warn_share, targets, created_at, updated_at)
    VALUES ('default', 'Default', NULL, 0.75, '[{"channel":"","priority":"","first_response_seconds":14400,"next_response_seconds":28800,"resolution_seconds":97200,"business_hours":true},{"channel":"","priority":"high","first_response_seconds":7200,"next_response_seconds":14400,"resolution_seconds":64800,"business_hours":true},{"channel":"","priority":"urgent","first_response_seconds":3600,"next_response_seconds":7200,"resolution_seconds":32400,"business_hours":true},{"channel":"chat","priority":"","first_response_seconds":60,"next_response_seconds":120,"resolution_seconds":86400,"business_hours":false},{"channel":"phone","priority":"","first_response_seconds":20,"next_response_seconds":60,"resolution_seconds":86400,"business_hours":false},{"channel":"whatsapp","priority":"","first_response_seconds":3600,"next_response_seconds":7200,"resolution_seconds":97200,"business_hours":true},{"channel":"telegram","priority":"","first_response_seconds":3600,"next_response_seconds":7200,"resolution_seconds":97200,"business_hours":true}]', CAST(unixepoch('subsec') * 1000000 AS INTEGER), CAST(unixepoch('subsec') * 1000000 AS INTEGER));

-- +goose Down
DROP INDEX messages_agent_replies;
ALTER TABLE teams DROP COLUMN calendar_id;
ALTER TABLE teams DROP COLUMN lead_id;
DROP TABLE notifications;
DROP TABLE escalations;
DROP TABLE commitments;
DROP TABLE assignment_rules;
DROP TABLE sla_policies;
DROP TABLE calendars;
ALTER TABLE users DROP COLUMN last_seen_at;
ALTER TABLE users DROP COLUMN capacity;
DROP INDEX conversations_escalated;
DROP INDEX conversations_reopened;
DROP INDEX conversations_handoffs;
DROP INDEX conversations_waiting;
DROP INDEX conversations_sla_risk;
DROP INDEX conversations_sla_timer;
ALTER TABLE conversations DROP COLUMN escalated;
ALTER TABLE conversations DROP COLUMN reopen_count;
ALTER TABLE conversations DROP COLUMN sla_due_at;
ALTER TABLE conversations DROP COLUMN sla_state;
ALTER TABLE conversations DROP COLUMN sla;
