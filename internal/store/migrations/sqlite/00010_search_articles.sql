-- Knowledge-base articles in the search index (00007), which could not
-- name the articles table before 00008 made it. Keep in step with
-- ../postgres/00010_search_articles.sql.

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER search_article_added AFTER INSERT ON articles BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('article', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_article_changed AFTER UPDATE OF title, summary, body, visibility, state, language ON articles BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('article', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_article_removed AFTER DELETE ON articles BEGIN
    INSERT INTO search_queue (kind, ref_id) VALUES ('article', OLD.id);
END;
-- +goose StatementEnd
-- Articles written before this migration.
INSERT INTO search_queue (kind, ref_id) SELECT 'article', id FROM articles;

-- +goose Down
DROP TRIGGER search_article_removed;
DROP TRIGGER search_article_changed;
DROP TRIGGER search_article_added;
