-- The knowledge base and the public help centre: categories, sections,
-- articles in Hebrew and English with their revisions, uploaded images,
-- visitors' feedback and the raw records of the help centre's activity.
-- Times are unix microseconds in UTC (0 for "never"), as in 00001. Keep in
-- step with ../postgres/00008_knowledge.sql. (00007 is the search index's.)

-- +goose Up
CREATE TABLE article_categories (
    id             TEXT PRIMARY KEY,
    name_he        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_he TEXT NOT NULL,
    description_en TEXT NOT NULL,
    position       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- A category with sections cannot be deleted (RESTRICT), nor a section
-- with articles: the desk refuses first, the schema holds it.
CREATE TABLE article_sections (
    id             TEXT PRIMARY KEY,
    category_id    TEXT NOT NULL REFERENCES article_categories (id) ON DELETE RESTRICT,
    name_he        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_he TEXT NOT NULL,
    description_en TEXT NOT NULL,
    position       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX article_sections_category ON article_sections (category_id, position, id);

-- group_id links the language versions of one article (one per language);
-- body is the author's Markdown and body_html its sanitised rendering.
CREATE TABLE articles (
    id           TEXT PRIMARY KEY,
    group_id     TEXT NOT NULL,
    language     TEXT NOT NULL,
    title        TEXT NOT NULL,
    slug         TEXT NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    section_id   TEXT REFERENCES article_sections (id) ON DELETE RESTRICT,
    visibility   TEXT NOT NULL,
    state        TEXT NOT NULL,
    position     INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    published_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX articles_slug ON articles (language, slug);
CREATE UNIQUE INDEX articles_group ON articles (group_id, language);
-- The agents' list, newest first, and a section's articles in order.
CREATE INDEX articles_updated ON articles (updated_at, id);
CREATE INDEX articles_section ON articles (section_id, position, id);

CREATE TABLE article_revisions (
    article_id    TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body          TEXT NOT NULL,
    author_id     TEXT NOT NULL,
    restored_from INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (article_id, number)
) STRICT;

-- An uploaded image is a blob (00004) the help centre may serve; other
-- blobs (mail, attachments) never are.
CREATE TABLE article_images (
    sha256       TEXT PRIMARY KEY REFERENCES blobs (sha256),
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    name         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- One answer per visitor per article; a second one replaces the first.
CREATE TABLE article_feedback (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    visitor    INTEGER NOT NULL,
    helpful    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (article_id, visitor)
) STRICT;
CREATE INDEX article_feedback_at ON article_feedback (at);

-- The raw records of the help centre, kept small: no id of their own, the
-- visitor as the number in their cookie, the kind as 1 (view), 2 (search)
-- or 3 (contact), ref the article viewed or the conversation opened.
CREATE TABLE help_events (
    visitor INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    kind    INTEGER NOT NULL,
    ref     TEXT NOT NULL,
    query   TEXT NOT NULL,
    results INTEGER NOT NULL
) STRICT;
CREATE INDEX help_events_at ON help_events (at);

-- +goose Down
DROP TABLE help_events;
DROP TABLE article_feedback;
DROP TABLE article_images;
DROP TABLE article_revisions;
DROP TABLE articles;
DROP TABLE article_sections;
DROP TABLE article_categories;
