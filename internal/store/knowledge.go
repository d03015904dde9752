package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strconv"
	"time"

	"kesher"
)

// The knowledge base: categories, sections, articles and their revisions,
// images, visitors' feedback and the help centre's raw activity.

const categoryColumns = "id, name_he, name_en, description_he, description_en, position, created_at, updated_at"

func scanCategory(s scanner) (*kesher.ArticleCategory, error) {
	var c kesher.ArticleCategory
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name.He, &c.Name.En, &c.Description.He, &c.Description.En, &c.Position, &created, &updated); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// ArticleCategory returns a category.
func (q *queries) ArticleCategory(ctx context.Context, id string) (*kesher.ArticleCategory, error) {
	c, err := scanCategory(q.q.QueryRowContext(ctx, "SELECT "+categoryColumns+" FROM article_categories WHERE id = $1", id))
	return c, q.dbErr(err, "article category "+id)
}

// ArticleCategories lists every category by position; a knowledge base
// has a few dozen at most, read whole.
func (q *queries) ArticleCategories(ctx context.Context) ([]*kesher.ArticleCategory, error) {
	cs, _, err := list(ctx, q, "article categories", "SELECT "+categoryColumns+" FROM article_categories ORDER BY position, id", nil, 0, scanCategory)
	return orEmpty(cs), err
}

// SaveArticleCategory inserts or replaces a category, keeping its creation
// time.
func (t *tx) SaveArticleCategory(ctx context.Context, c *kesher.ArticleCategory) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO article_categories ("+categoryColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"+
		" ON CONFLICT (id) DO UPDATE SET name_he = excluded.name_he, name_en = excluded.name_en, description_he = excluded.description_he,"+
		" description_en = excluded.description_en, position = excluded.position, updated_at = excluded.updated_at",
		c.ID, c.Name.He, c.Name.En, c.Description.He, c.Description.En, c.Position, micros(c.CreatedAt), micros(c.UpdatedAt))
	return t.dbErr(err, "article category "+c.ID)
}

// DeleteArticleCategory deletes a category that has no sections. The
// check comes first because on PostgreSQL the foreign key's refusal would
// abort the whole transaction.
func (t *tx) DeleteArticleCategory(ctx context.Context, id string) error {
	if err := t.refuseIfUsed(ctx, "SELECT 1 FROM article_sections WHERE category_id = $1 LIMIT 1", id, "article category "+id+" has sections"); err != nil {
		return err
	}
	return t.exec(ctx, "article category "+id, "DELETE FROM article_categories WHERE id = $1", id)
}

// refuseIfUsed returns ECodeConflict with message when query finds a row.
func (t *tx) refuseIfUsed(ctx context.Context, query, id, message string) error {
	var one int
	switch err := t.q.QueryRowContext(ctx, query, id).Scan(&one); {
	case err == nil:
		return kesher.Errorf(kesher.ECodeConflict, "%s", message)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return nil
}

const sectionColumns = "s.id, s.category_id, s.name_he, s.name_en, s.description_he, s.description_en, s.position, s.created_at, s.updated_at"

func scanSection(s scanner) (*kesher.ArticleSection, error) {
	var sec kesher.ArticleSection
	var created, updated int64
	if err := s.Scan(&sec.ID, &sec.CategoryID, &sec.Name.He, &sec.Name.En, &sec.Description.He, &sec.Description.En, &sec.Position,
		&created, &updated); err != nil {
		return nil, err
	}
	sec.CreatedAt, sec.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &sec, nil
}

// ArticleSection returns a section.
func (q *queries) ArticleSection(ctx context.Context, id string) (*kesher.ArticleSection, error) {
	s, err := scanSection(q.q.QueryRowContext(ctx, "SELECT "+sectionColumns+" FROM article_sections s WHERE s.id = $1", id))
	return s, q.dbErr(err, "article section "+id)
}

// ArticleSections lists the sections of one category, or of all of them
// in their categories' order.
func (q *queries) ArticleSections(ctx context.Context, categoryID string) ([]*kesher.ArticleSection, error) {
	var a args
	query := "SELECT " + sectionColumns + " FROM article_sections s JOIN article_categories c ON c.id = s.category_id"
	if categoryID != "" {
		query += " WHERE s.category_id = " + a.add(categoryID)
	}
	ss, _, err := list(ctx, q, "article sections", query+" ORDER BY c.position, c.id, s.position, s.id", a, 0, scanSection)
	return orEmpty(ss), err
}

// SaveArticleSection inserts or replaces a section, keeping its creation
// time; an unknown category is ECodeNotFound.
func (t *tx) SaveArticleSection(ctx context.Context, s *kesher.ArticleSection) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO article_sections (id, category_id, name_he, name_en, description_he, description_en, position, created_at, updated_at)"+
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"+
		" ON CONFLICT (id) DO UPDATE SET category_id = excluded.category_id, name_he = excluded.name_he, name_en = excluded.name_en,"+
		" description_he = excluded.description_he, description_en = excluded.description_en, position = excluded.position, updated_at = excluded.updated_at",
		s.ID, s.CategoryID, s.Name.He, s.Name.En, s.Description.He, s.Description.En, s.Position, micros(s.CreatedAt), micros(s.UpdatedAt))
	return t.dbErr(err, "article section "+s.ID)
}

// DeleteArticleSection deletes a section that has no articles.
func (t *tx) DeleteArticleSection(ctx context.Context, id string) error {
	if err := t.refuseIfUsed(ctx, "SELECT 1 FROM articles WHERE section_id = $1 LIMIT 1", id, "article section "+id+" has articles"); err != nil {
		return err
	}
	return t.exec(ctx, "article section "+id, "DELETE FROM article_sections WHERE id = $1", id)
}

// articleColumns read an article with its section's category, which is
// not stored on the article: moving a section moves its articles.
const articleColumns = "a.id, a.group_id, a.language, a.title, a.slug, a.summary, a.body, a.body_html, a.section_id, s.category_id," +
	" a.visibility, a.state, a.position, a.revision, a.created_by, a.updated_by, a.created_at, a.updated_at, a.published_at"

const articleFrom = " FROM articles a LEFT JOIN article_sections s ON s.id = a.section_id"

func scanArticle(sc scanner) (*kesher.Article, error) {
	var a kesher.Article
	var section, category *string
	var created, updated, published int64
	err := sc.Scan(&a.ID, &a.GroupID, &a.Language, &a.Title, &a.Slug, &a.Summary, &a.Body, &a.BodyHTML, &section, &category,
		&a.Visibility, &a.State, &a.Position, &a.Revision, &a.CreatedBy, &a.UpdatedBy, &created, &updated, &published)
	if err != nil {
		return nil, err
	}
	a.SectionID, a.CategoryID = deref(section), deref(category)
	a.CreatedAt, a.UpdatedAt, a.PublishedAt = fromMicros(created), fromMicros(updated), fromMicros(published)
	return &a, nil
}

// Article returns an article.
func (q *queries) Article(ctx context.Context, id string) (*kesher.Article, error) {
	a, err := scanArticle(q.q.QueryRowContext(ctx, "SELECT "+articleColumns+articleFrom+" WHERE a.id = $1", id))
	return a, q.dbErr(err, "article "+id)
}

// ArticleBySlug finds an article by language and slug (a unique pair).
func (q *queries) ArticleBySlug(ctx context.Context, language, slug string) (*kesher.Article, error) {
	a, err := scanArticle(q.q.QueryRowContext(ctx, "SELECT "+articleColumns+articleFrom+" WHERE a.language = $1 AND a.slug = $2", language, slug))
	return a, q.dbErr(err, "article "+language+"/"+slug)
}

// articleWhere returns the conditions of f, each prefixed with " AND ".
func articleWhere(f kesher.ArticleFilter, a *args) string {
	var where string
	if f.CategoryID != "" {
		where += " AND a.section_id IN (SELECT id FROM article_sections WHERE category_id = " + a.add(f.CategoryID) + ")"
	}
	if f.SectionID != "" {
		where += " AND a.section_id = " + a.add(f.SectionID)
	}
	if f.Language != "" {
		where += " AND a.language = " + a.add(f.Language)
	}
	if f.Visibility != "" {
		where += " AND a.visibility = " + a.add(string(f.Visibility))
	}
	if f.State != "" {
		where += " AND a.state = " + a.add(string(f.State))
	}
	if f.GroupID != "" {
		where += " AND a.group_id = " + a.add(f.GroupID)
	}
	return where
}

// Articles lists articles by last update, newest first, or by position.
func (q *queries) Articles(ctx context.Context, f kesher.ArticleFilter) ([]*kesher.Article, string, error) {
	limit := pageLimit(f.Page)
	key, id, after, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	query := "SELECT " + articleColumns + articleFrom + " WHERE 1 = 1" + articleWhere(f, &a)
	sortKey, order := "a.updated_at", "DESC"
	cmp := "<"
	if f.ByPosition {
		sortKey, order, cmp = "a.position", "", ">"
	}
	if after {
		query += " AND (" + sortKey + ", a.id) " + cmp + " (" + a.add(key) + ", " + a.add(id) + ")"
	}
	query += " ORDER BY " + sortKey + " " + order + ", a.id " + order + " LIMIT " + a.add(limit+1)
	as, more, err := list(ctx, q, "articles", query, a, limit, scanArticle)
	if err != nil || !more {
		return as, "", err
	}
	last := as[len(as)-1]
	if f.ByPosition {
		return as, encodeCursor(int64(last.Position), last.ID), nil
	}
	return as, encodeCursor(micros(last.UpdatedAt), last.ID), nil
}

// CountArticles counts what f selects up to max.
func (q *queries) CountArticles(ctx context.Context, f kesher.ArticleFilter, max int) (int, error) {
	var a args
	return q.countUpTo(ctx, "articles", "SELECT 1 FROM articles a WHERE 1 = 1"+articleWhere(f, &a), a, max)
}

// CreateArticle inserts an article; a taken slug or a second version of
// one language in a group is a conflict.
func (t *tx) CreateArticle(ctx context.Context, a *kesher.Article) error {
	return t.insert(ctx, "article "+a.Language+"/"+a.Slug, "INSERT INTO articles (id, group_id, language, title, slug, summary, body, body_html,"+
		" section_id, visibility, state, position, revision, created_by, updated_by, created_at, updated_at, published_at)"+
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
		args{a.ID, a.GroupID, a.Language, a.Title, a.Slug, a.Summary, a.Body, a.BodyHTML, nullable(a.SectionID), string(a.Visibility),
			string(a.State), a.Position, a.Revision, a.CreatedBy, a.UpdatedBy, micros(a.CreatedAt), micros(a.UpdatedAt), micros(a.PublishedAt)})
}

// UpdateArticle saves every mutable field of a.
func (t *tx) UpdateArticle(ctx context.Context, a *kesher.Article) error {
	return t.exec(ctx, "article "+a.ID, "UPDATE articles SET group_id = $2, language = $3, title = $4, slug = $5, summary = $6, body = $7,"+
		" body_html = $8, section_id = $9, visibility = $10, state = $11, position = $12, revision = $13, updated_by = $14, updated_at = $15,"+
		" published_at = $16 WHERE id = $1",
		a.ID, a.GroupID, a.Language, a.Title, a.Slug, a.Summary, a.Body, a.BodyHTML, nullable(a.SectionID), string(a.Visibility),
		string(a.State), a.Position, a.Revision, a.UpdatedBy, micros(a.UpdatedAt), micros(a.PublishedAt))
}

// DeleteArticle deletes an article; its revisions and feedback go with it
// (ON DELETE CASCADE). The help centre's records of views keep its id.
func (t *tx) DeleteArticle(ctx context.Context, id string) error {
	return t.exec(ctx, "article "+id, "DELETE FROM articles WHERE id = $1", id)
}

const revisionColumns = "article_id, number, title, summary, body, author_id, restored_from, created_at"

func scanRevision(s scanner) (*kesher.ArticleRevision, error) {
	var r kesher.ArticleRevision
	var created int64
	if err := s.Scan(&r.ArticleID, &r.Number, &r.Title, &r.Summary, &r.Body, &r.AuthorID, &r.RestoredFrom, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMicros(created)
	return &r, nil
}

// ArticleRevisions lists an article's revisions, newest first.
func (q *queries) ArticleRevisions(ctx context.Context, articleID string, p kesher.Page) ([]*kesher.ArticleRevision, string, error) {
	limit := pageLimit(p)
	number, _, after, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	a := args{articleID}
	query := "SELECT " + revisionColumns + " FROM article_revisions WHERE article_id = $1"
	if after {
		query += " AND number < " + a.add(number)
	}
	query += " ORDER BY number DESC LIMIT " + a.add(limit+1)
	rs, more, err := list(ctx, q, "article revisions", query, a, limit, scanRevision)
	if err != nil || !more {
		return rs, "", err
	}
	return rs, encodeCursor(int64(rs[len(rs)-1].Number), articleID), nil
}

// ArticleRevision returns one revision of an article.
func (q *queries) ArticleRevision(ctx context.Context, articleID string, number int) (*kesher.ArticleRevision, error) {
	r, err := scanRevision(q.q.QueryRowContext(ctx, "SELECT "+revisionColumns+" FROM article_revisions WHERE article_id = $1 AND number = $2",
		articleID, number))
	return r, q.dbErr(err, "revision "+strconv.Itoa(number)+" of article "+articleID)
}

// CreateArticleRevision inserts a revision.
func (t *tx) CreateArticleRevision(ctx context.Context, r *kesher.ArticleRevision) error {
	return t.insert(ctx, "revision "+strconv.Itoa(r.Number)+" of article "+r.ArticleID,
		"INSERT INTO article_revisions ("+revisionColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		args{r.ArticleID, r.Number, r.Title, r.Summary, r.Body, r.AuthorID, r.RestoredFrom, micros(r.CreatedAt)})
}

const imageColumns = "sha256, content_type, size, name, created_by, created_at"

// ArticleImage returns an uploaded image's record.
func (q *queries) ArticleImage(ctx context.Context, hash string) (*kesher.ArticleImage, error) {
	var img kesher.ArticleImage
	var created int64
	err := q.q.QueryRowContext(ctx, "SELECT "+imageColumns+" FROM article_images WHERE sha256 = $1", hash).
		Scan(&img.SHA256, &img.ContentType, &img.Size, &img.Name, &img.CreatedBy, &created)
	if err != nil {
		return nil, q.dbErr(err, "article image "+hash)
	}
	img.CreatedAt = fromMicros(created)
	return &img, nil
}

// SaveArticleImage records an image; the first upload of the same bytes
// keeps its name and uploader.
func (t *tx) SaveArticleImage(ctx context.Context, img *kesher.ArticleImage) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO article_images ("+imageColumns+") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
		img.SHA256, img.ContentType, img.Size, img.Name, img.CreatedBy, micros(img.CreatedAt))
	return t.dbErr(err, "article image "+img.SHA256)
}

// timeRange turns [from, to) with open ends (zero times) into microsecond
// bounds.
func timeRange(from, to time.Time) (int64, int64) {
	hi := int64(math.MaxInt64)
	if !to.IsZero() {
		hi = micros(to)
	}
	return micros(from), hi
}

// FeedbackCounts counts the answers about each article given or changed
// in [from, to).
func (q *queries) FeedbackCounts(ctx context.Context, from, to time.Time) (map[string]kesher.Feedback, error) {
	lo, hi := timeRange(from, to)
	rows, err := q.q.QueryContext(ctx, "SELECT article_id, helpful, COUNT(*) FROM article_feedback WHERE at >= $1 AND at < $2 GROUP BY article_id, helpful", lo, hi)
	if err != nil {
		return nil, q.dbErr(err, "article feedback")
	}
	defer rows.Close()
	counts := map[string]kesher.Feedback{}
	for rows.Next() {
		var id string
		var helpful, n int
		if err := rows.Scan(&id, &helpful, &n); err != nil {
			return nil, err
		}
		c := counts[id]
		if helpful != 0 {
			c.Helpful += n
		} else {
			c.NotHelpful += n
		}
		counts[id] = c
	}
	return counts, rows.Err()
}

// ArticleFeedbackOf returns one visitor's answer about an article.
func (q *queries) ArticleFeedbackOf(ctx context.Context, articleID string, visitor kesher.VisitorID) (*kesher.ArticleFeedback, error) {
	f := kesher.ArticleFeedback{ArticleID: articleID, Visitor: visitor}
	var helpful int
	var at int64
	err := q.q.QueryRowContext(ctx, "SELECT helpful, at FROM article_feedback WHERE article_id = $1 AND visitor = $2", articleID, int64(visitor)).
		Scan(&helpful, &at)
	if err != nil {
		return nil, q.dbErr(err, "feedback on article "+articleID)
	}
	f.Helpful, f.At = helpful != 0, fromMicros(at)
	return &f, nil
}

// SaveArticleFeedback inserts or replaces a visitor's answer; an unknown
// article is ECodeNotFound.
func (t *tx) SaveArticleFeedback(ctx context.Context, f *kesher.ArticleFeedback) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO article_feedback (article_id, visitor, helpful, at) VALUES ($1, $2, $3, $4)"+
		" ON CONFLICT (article_id, visitor) DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
		f.ArticleID, int64(f.Visitor), boolInt(f.Helpful), micros(f.At))
	return t.dbErr(err, "feedback on article "+f.ArticleID)
}

// RecordHelpEvent appends one record of the help centre's activity.
func (t *tx) RecordHelpEvent(ctx context.Context, e *kesher.HelpEvent) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO help_events (visitor, at, kind, ref, query, results) VALUES ($1, $2, $3, $4, $5, $6)",
		int64(e.Visitor), micros(e.At), int(e.Kind), e.Ref, e.Query, e.Results)
	return t.dbErr(err, "help event")
}

// EachHelpEvent streams the events of [from, to) by visitor and time, so
// that statistics over many of them hold one visitor's in memory at a time.
func (q *queries) EachHelpEvent(ctx context.Context, from, to time.Time, fn func(*kesher.HelpEvent) error) error {
	lo, hi := timeRange(from, to)
	rows, err := q.q.QueryContext(ctx, "SELECT visitor, at, kind, ref, query, results FROM help_events WHERE at >= $1 AND at < $2 ORDER BY visitor, at", lo, hi)
	if err != nil {
		return q.dbErr(err, "help events")
	}
	defer rows.Close()
	for rows.Next() {
		var e kesher.HelpEvent
		var visitor, at int64
		var kind int
		if err := rows.Scan(&visitor, &at, &kind, &e.Ref, &e.Query, &e.Results); err != nil {
			return err
		}
		e.Visitor, e.At, e.Kind = kesher.VisitorID(visitor), fromMicros(at), kesher.HelpEventKind(kind)
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}
