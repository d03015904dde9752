-- Knowledge-base articles in the search index (00007), which could not
-- name the articles table before 00008 made it. Keep in step with
-- ../sqlite/00010_search_articles.sql.

-- +goose Up
-- +goose StatementBegin
-- search_enqueue_article queues the article, whether it was written or
-- deleted.
CREATE FUNCTION search_enqueue_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_queue (kind, ref_id) VALUES ('article', OLD.id);
    ELSE
        INSERT INTO search_queue (kind, ref_id) VALUES ('article', NEW.id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER search_article_changed
    AFTER INSERT OR DELETE OR UPDATE OF title, summary, body, visibility, state, language ON articles
    FOR EACH ROW EXECUTE FUNCTION search_enqueue_article();
-- Articles written before this migration.
INSERT INTO search_queue (kind, ref_id) SELECT 'article', id FROM articles;

-- +goose Down
DROP TRIGGER search_article_changed ON articles;
DROP FUNCTION search_enqueue_article();
