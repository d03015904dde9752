-- The knowledge base and the public help centre: categories, sections,
-- articles in Hebrew and English with their revisions, uploaded images,
-- visitors' feedback and the raw records of the help centre's activity.
-- Times are unix microseconds in UTC (0 for "never"), as in 00001, and ids
-- compare bytes (COLLATE "C"), as SQLite does. Keep in step with
-- ../sqlite/00008_knowledge.sql. (00007 is the search index's.)

-- +goose Up
CREATE TABLE article_categories (
    id             TEXT COLLATE "C" PRIMARY KEY,
    name_he        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_he TEXT NOT NULL,
    description_en TEXT NOT NULL,
    position       INTEGER NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- A category with sections cannot be deleted (RESTRICT), nor a section
-- with articles: the desk refuses first, the schema holds it.
CREATE TABLE article_sections (
    id             TEXT COLLATE "C" PRIMARY KEY,
    category_id    TEXT COLLATE "C" NOT NULL REFERENCES article_categories (id) ON DELETE RESTRICT,
    name_he        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_he TEXT NOT NULL,
    description_en TEXT NOT NULL,
    position       INTEGER NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX article_sections_category ON article_sections (category_id, position, id);

-- group_id links the language versions of one article (one per language);
-- body is the author's Markdown and body_html its sanitised rendering.
CREATE TABLE articles (
    id           TEXT COLLATE "C" PRIMARY KEY,
    group_id     TEXT COLLATE "C" NOT NULL,
    language     TEXT NOT NULL,
    title        TEXT NOT NULL,
    slug         TEXT NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    section_id   TEXT COLLATE "C" REFERENCES article_sections (id) ON DELETE RESTRICT,
    visibility   TEXT NOT NULL,
    state        TEXT NOT NULL,
    position     INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    created_by   TEXT COLLATE "C" NOT NULL,
    updated_by   TEXT COLLATE "C" NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX articles_slug ON articles (language, slug);
CREATE UNIQUE INDEX articles_group ON articles (group_id, language);
-- The agents' list, newest first, and a section's articles in order.
CREATE INDEX articles_updated ON articles (updated_at, id);
CREATE INDEX articles_section ON articles (section_id, position, id);

CREATE TABLE article_revisions (
    article_id    TEXT COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body          TEXT NOT NULL,
    author_id     TEXT COLLATE "C" NOT NULL,
    restored_from INTEGER NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (article_id, number)
);

-- An uploaded image is a blob (00004) the help centre may serve; other
-- blobs (mail, attachments) never are.
CREATE TABLE article_images (
    sha256       TEXT COLLATE "C" PRIMARY KEY REFERENCES blobs (sha256),
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    name         TEXT NOT NULL,
    created_by   TEXT COLLATE "C" NOT NULL,
    created_at   BIGINT NOT NULL
);

-- One answer per visitor per article; a second one replaces the first.
CREATE TABLE article_feedback (
    article_id TEXT COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    visitor    BIGINT NOT NULL,
    helpful    INTEGER NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (article_id, visitor)
);
CREATE INDEX article_feedback_at ON article_feedback (at);

-- The raw records of the help centre, kept small: no id of their own, the
-- visitor as the number in their cookie, the kind as 1 (view), 2 (search)
-- or 3 (contact), ref the article viewed or the conversation opened.
CREATE TABLE help_events (
    visitor BIGINT NOT NULL,
    at      BIGINT NOT NULL,
    kind    INTEGER NOT NULL,
    ref     TEXT COLLATE "C" NOT NULL,
    query   TEXT NOT NULL,
    results INTEGER NOT NULL
);
CREATE INDEX help_events_at ON help_events (at);

-- +goose Down
DROP TABLE help_events;
DROP TABLE article_feedback;
DROP TABLE article_images;
DROP TABLE article_revisions;
DROP TABLE articles;
DROP TABLE article_sections;
DROP TABLE article_categories;
