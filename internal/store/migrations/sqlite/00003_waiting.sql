-- When each conversation's customer began waiting for an answer, as unix
-- microseconds in UTC (0 while the last word is the desk's), like the
-- other times of 00001. Keep in step with ../postgres/00003_waiting.sql.

-- +goose Up
ALTER TABLE conversations ADD COLUMN waiting_since INTEGER NOT NULL DEFAULT 0;

-- Conversations whose last message other than a note came from the
-- customer have waited since the customer's first message after the desk's
-- last reply. That message exists whenever the WHERE holds, because the
-- last message is one of them, so the minimum is never NULL.
UPDATE conversations SET waiting_since = (
    SELECT MIN(m.created_at) FROM messages m
    WHERE m.conversation_id = conversations.id AND m.direction = 'inbound'
      AND m.created_at >= (SELECT COALESCE(MAX(r.created_at), 0) FROM messages r
                           WHERE r.conversation_id = conversations.id AND r.direction = 'outbound'))
WHERE (SELECT m.direction FROM messages m
       WHERE m.conversation_id = conversations.id AND m.direction <> 'note'
       ORDER BY m.created_at DESC, m.id DESC LIMIT 1) = 'inbound';

-- +goose Down
ALTER TABLE conversations DROP COLUMN waiting_since;
