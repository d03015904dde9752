-- The full-text search index. Keep in step with ../sqlite/00007_search.sql,
-- which explains it; here the terms live in a tsvector with a GIN index.

-- +goose Up
CREATE TABLE search_docs (
    docid           BIGINT PRIMARY KEY,
    kind            TEXT NOT NULL,
    ref_id          TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL,
    audience        TEXT NOT NULL,
    language        TEXT NOT NULL,
    terms           TSVECTOR NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_docs_terms ON search_docs USING GIN (terms);

CREATE TABLE search_queue (
    seq    BIGSERIAL PRIMARY KEY,
    kind   TEXT NOT NULL,
    ref_id TEXT COLLATE "C" NOT NULL
);

CREATE TABLE search_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose StatementBegin
-- search_enqueue queues the row's own id as a document of the kind named
-- by the trigger's argument.
CREATE FUNCTION search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES (TG_ARGV[0], NEW.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
-- search_enqueue_owner queues the customer an identity belongs to, before
-- and after the change.
CREATE FUNCTION search_enqueue_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO search_queue (kind, ref_id) VALUES ('customer', OLD.customer_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO search_queue (kind, ref_id) VALUES ('customer', NEW.customer_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER search_message_added AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION search_enqueue('message');
CREATE TRIGGER search_message_changed AFTER UPDATE OF body_text ON messages
    FOR EACH ROW WHEN (NEW.body_text IS DISTINCT FROM OLD.body_text) EXECUTE FUNCTION search_enqueue('message');
CREATE TRIGGER search_conversation_added AFTER INSERT ON conversations
    FOR EACH ROW EXECUTE FUNCTION search_enqueue('conversation');
CREATE TRIGGER search_conversation_changed AFTER UPDATE OF subject ON conversations
    FOR EACH ROW WHEN (NEW.subject IS DISTINCT FROM OLD.subject) EXECUTE FUNCTION search_enqueue('conversation');
CREATE TRIGGER search_customer_added AFTER INSERT ON customers
    FOR EACH ROW EXECUTE FUNCTION search_enqueue('customer');
CREATE TRIGGER search_customer_changed AFTER UPDATE OF name, merged_into ON customers
    FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name OR NEW.merged_into IS DISTINCT FROM OLD.merged_into)
    EXECUTE FUNCTION search_enqueue('customer');
CREATE TRIGGER search_identity_changed AFTER INSERT OR DELETE ON identities
    FOR EACH ROW EXECUTE FUNCTION search_enqueue_owner();
CREATE TRIGGER search_identity_moved AFTER UPDATE OF customer_id ON identities
    FOR EACH ROW WHEN (NEW.customer_id IS DISTINCT FROM OLD.customer_id) EXECUTE FUNCTION search_enqueue_owner();

-- +goose Down
DROP TRIGGER search_identity_moved ON identities;
DROP TRIGGER search_identity_changed ON identities;
DROP TRIGGER search_customer_changed ON customers;
DROP TRIGGER search_customer_added ON customers;
DROP TRIGGER search_conversation_changed ON conversations;
DROP TRIGGER search_conversation_added ON conversations;
DROP TRIGGER search_message_changed ON messages;
DROP TRIGGER search_message_added ON messages;
DROP FUNCTION search_enqueue_owner();
DROP FUNCTION search_enqueue();
DROP TABLE search_state;
DROP TABLE search_queue;
DROP TABLE search_docs;
