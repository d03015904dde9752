-- The full-text search index. Keep in step with ../postgres/00007_search.sql.
--
-- Every searchable thing (a conversation's subject, a message, a customer,
-- an article) is a document. Its terms come from the Go analyzer
-- (internal/search): search_fts holds them for matching and nothing else
-- (contentless), search_docs says what each document is. Triggers put a
-- row in search_queue whenever a source changes, in the same transaction,
-- so no change is ever missed; the desk's indexer works through the queue
-- after commit, keeping writes to the sources as cheap as one row.

-- +goose Up
-- docid orders documents by when they were written: the creation time in
-- unix microseconds times 16, plus a slot for documents of the same
-- microsecond. So "newest first" and date ranges are rowid order and
-- rowid ranges in search_fts.
CREATE TABLE search_docs (
    docid           INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    ref_id          TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    audience        TEXT NOT NULL,
    language        TEXT NOT NULL,
    UNIQUE (kind, ref_id)
) STRICT;

-- base: every word's base form at its position (phrases match here);
-- loose: spelling keys and the document's kind marker. No prefix indexes:
-- they tripled the index for words being typed, which find their terms
-- fast enough in the sorted term list. The tokenizer only
-- splits at spaces in practice: the analyzer's terms are letters, digits
-- and private-use characters, which unicode61 keeps inside tokens.
CREATE VIRTUAL TABLE search_fts USING fts5(
    base, loose,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE search_queue (
    seq    INTEGER PRIMARY KEY,
    kind   TEXT NOT NULL,
    ref_id TEXT NOT NULL
) STRICT;

-- The analyzer version the index was built with; another one rebuilds it.
CREATE TABLE search_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER search_message_added AFTER INSERT ON messages BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('message', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_message_changed AFTER UPDATE OF body_text ON messages
WHEN NEW.body_text IS NOT OLD.body_text BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('message', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_conversation_added AFTER INSERT ON conversations BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('conversation', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_conversation_changed AFTER UPDATE OF subject ON conversations
WHEN NEW.subject IS NOT OLD.subject BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('conversation', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_customer_added AFTER INSERT ON customers BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('customer', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_customer_changed AFTER UPDATE OF name, merged_into ON customers
WHEN NEW.name IS NOT OLD.name OR NEW.merged_into IS NOT OLD.merged_into BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('customer', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_identity_added AFTER INSERT ON identities BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('customer', NEW.customer_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_identity_removed AFTER DELETE ON identities BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('customer', OLD.customer_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_identity_moved AFTER UPDATE OF customer_id ON identities
WHEN NEW.customer_id IS NOT OLD.customer_id BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('customer', OLD.customer_id), ('customer', NEW.customer_id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_identity_moved;
DROP TRIGGER search_identity_removed;
DROP TRIGGER search_identity_added;
DROP TRIGGER search_customer_changed;
DROP TRIGGER search_customer_added;
DROP TRIGGER search_conversation_changed;
DROP TRIGGER search_conversation_added;
DROP TRIGGER search_message_changed;
DROP TRIGGER search_message_added;
DROP TABLE search_state;
DROP TABLE search_queue;
DROP TABLE search_fts;
DROP TABLE search_docs;
