package desk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kesher"
	"kesher/internal/markdown"
)

// The knowledge base (P5): what agents need in one place, policies and
// products, written by the editors. Agents read the published articles,
// internal and public; leads and admins are the editors: they write,
// publish, delete and restore articles, see drafts and revisions, and
// manage categories and sections. Every change is one Write with its audit
// event; every save that changes an article's title, summary or body keeps
// a revision.

// Limits of the knowledge base's fields.
const (
	maxArticleTitle   = 300
	maxArticleSlug    = 200
	maxArticleSummary = 500
	// MaxArticleBody bounds an article's Markdown, in bytes.
	MaxArticleBody = 256 << 10
	maxNameLength  = 200
	maxDescription = 1000
	maxPosition    = 1_000_000
	// MaxImageBytes bounds an uploaded image.
	MaxImageBytes = 5 << 20
	maxImageName  = 200
	// derivedSlugRunes bounds a slug made from a title.
	derivedSlugRunes = 80
)

// Audit event types of the knowledge base.
const (
	EventArticleCreated     = "article.created"
	EventArticleUpdated     = "article.updated"
	EventArticlePublished   = "article.published"
	EventArticleUnpublished = "article.unpublished"
	EventArticleDeleted     = "article.deleted"
)

// editor returns the signed-in editor (lead or admin), nil for the
// system, or forbidden for agents.
func editor(ctx context.Context) (*kesher.User, error) { return require(ctx, kesher.RoleLead) }

// isEditor reports whether the actor may see drafts: the system and the
// leads and admins.
func isEditor(u *kesher.User) bool { return u == nil || u.Role.AtLeast(kesher.RoleLead) }

// CategoryInput is a category's or a section's fields; CategoryID is a
// section's only.
type CategoryInput struct {
	CategoryID  string
	Name        kesher.Names
	Description kesher.Names
	Position    int
}

// checkNames validates the bilingual name and description of a category
// or section: a name in at least one language.
func checkNames(in *CategoryInput, v *kesher.Validation) {
	trim := func(n kesher.Names) kesher.Names {
		return kesher.Names{He: strings.TrimSpace(n.He), En: strings.TrimSpace(n.En)}
	}
	in.Name, in.Description = trim(in.Name), trim(in.Description)
	v.Check(in.Name.He != "" || in.Name.En != "", "name", "required")
	v.Check(utf8.RuneCountInString(in.Name.He) <= maxNameLength, "name.he", "too_long")
	v.Check(utf8.RuneCountInString(in.Name.En) <= maxNameLength, "name.en", "too_long")
	v.Check(utf8.RuneCountInString(in.Description.He) <= maxDescription, "description.he", "too_long")
	v.Check(utf8.RuneCountInString(in.Description.En) <= maxDescription, "description.en", "too_long")
	v.Check(in.Position >= 0 && in.Position <= maxPosition, "position", "invalid")
}

// ArticleCategories lists the categories by position to any signed-in
// user.
func (d *Desk) ArticleCategories(ctx context.Context) ([]*kesher.ArticleCategory, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.ArticleCategories(ctx)
}

// ArticleCategory returns one category to any signed-in user.
func (d *Desk) ArticleCategory(ctx context.Context, id string) (*kesher.ArticleCategory, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.ArticleCategory(ctx, id)
}

// SaveArticleCategory creates a category (id "") or replaces one's
// fields. Editors only.
func (d *Desk) SaveArticleCategory(ctx context.Context, id string, in CategoryInput) (*kesher.ArticleCategory, error) {
	if _, err := editor(ctx); err != nil {
		return nil, err
	}
	var v kesher.Validation
	checkNames(&in, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &kesher.ArticleCategory{ID: id, Name: in.Name, Description: in.Description, Position: in.Position}
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		now := d.clock.Now()
		typ := "article_category.updated"
		if id == "" {
			c.ID, c.CreatedAt, typ = kesher.NewID(now), now, "article_category.created"
		} else {
			cur, err := tx.ArticleCategory(ctx, id)
			if err != nil {
				return err
			}
			c.CreatedAt = cur.CreatedAt
		}
		c.UpdatedAt = now
		if err := tx.SaveArticleCategory(ctx, c); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, typ, c))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteArticleCategory deletes a category that has no sections (else
// ECodeConflict). Editors only.
func (d *Desk) DeleteArticleCategory(ctx context.Context, id string) error {
	if _, err := editor(ctx); err != nil {
		return err
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		if err := tx.DeleteArticleCategory(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "article_category.deleted", map[string]any{"id": id}))
	})
}

// ArticleSections lists the sections of a category ("" for all) to any
// signed-in user.
func (d *Desk) ArticleSections(ctx context.Context, categoryID string) ([]*kesher.ArticleSection, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.ArticleSections(ctx, categoryID)
}

// ArticleSection returns one section to any signed-in user.
func (d *Desk) ArticleSection(ctx context.Context, id string) (*kesher.ArticleSection, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.ArticleSection(ctx, id)
}

// SaveArticleSection creates a section (id "") or replaces one's fields,
// moving it to another category when CategoryID says so. Editors only.
func (d *Desk) SaveArticleSection(ctx context.Context, id string, in CategoryInput) (*kesher.ArticleSection, error) {
	if _, err := editor(ctx); err != nil {
		return nil, err
	}
	var v kesher.Validation
	checkNames(&in, &v)
	v.Check(in.CategoryID != "", "category_id", "required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	s := &kesher.ArticleSection{ID: id, CategoryID: in.CategoryID, Name: in.Name, Description: in.Description, Position: in.Position}
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		if _, err := tx.ArticleCategory(ctx, in.CategoryID); kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return kesher.FieldError("category_id", "unknown", "no category %s", in.CategoryID)
		} else if err != nil {
			return err
		}
		now := d.clock.Now()
		typ := "article_section.updated"
		if id == "" {
			s.ID, s.CreatedAt, typ = kesher.NewID(now), now, "article_section.created"
		} else {
			cur, err := tx.ArticleSection(ctx, id)
			if err != nil {
				return err
			}
			s.CreatedAt = cur.CreatedAt
		}
		s.UpdatedAt = now
		if err := tx.SaveArticleSection(ctx, s); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, typ, s))
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// DeleteArticleSection deletes a section that has no articles (else
// ECodeConflict). Editors only.
func (d *Desk) DeleteArticleSection(ctx context.Context, id string) error {
	if _, err := editor(ctx); err != nil {
		return err
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		if err := tx.DeleteArticleSection(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "article_section.deleted", map[string]any{"id": id}))
	})
}

// Articles lists articles. Agents see published ones only: asking for
// drafts is forbidden to them, and no state means published.
func (d *Desk) Articles(ctx context.Context, f kesher.ArticleFilter) ([]*kesher.Article, string, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, "", err
	}
	var v kesher.Validation
	v.Check(f.Language == "" || validLanguage(f.Language), "language", "invalid")
	v.Check(f.Visibility == "" || f.Visibility.Valid(), "visibility", "invalid")
	v.Check(f.State == "" || f.State.Valid(), "state", "invalid")
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	if !isEditor(actor) {
		if f.State == kesher.ArticleDraft {
			return nil, "", kesher.Errorf(kesher.ECodeForbidden, "drafts are for editors (leads and admins)")
		}
		f.State = kesher.ArticlePublished
	}
	return d.store.Articles(ctx, f)
}

// Article returns an article; to agents a draft does not exist.
func (d *Desk) Article(ctx context.Context, id string) (*kesher.Article, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, err
	}
	a, err := d.store.Article(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isEditor(actor) && a.State != kesher.ArticlePublished {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "article %s not found", id)
	}
	return a, nil
}

// Translations returns the other language versions of a, those the actor
// may read.
func (d *Desk) Translations(ctx context.Context, a *kesher.Article) ([]*kesher.Article, error) {
	list, _, err := d.Articles(ctx, kesher.ArticleFilter{GroupID: a.GroupID, Page: kesher.Page{Limit: kesher.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	others := make([]*kesher.Article, 0, len(list))
	for _, t := range list {
		if t.ID != a.ID {
			others = append(others, t)
		}
	}
	return others, nil
}

// ArticleInput is a new article.
type ArticleInput struct {
	Language string
	Title    string
	// Slug names the article in URLs; "" makes one from the title.
	Slug    string
	Summary string
	// Body is Markdown.
	Body      string
	SectionID string
	// Visibility defaults to internal and State to draft: nothing reaches
	// the help centre until an editor says so.
	Visibility kesher.ArticleVisibility
	State      kesher.ArticleState
	Position   int
	// TranslationOf links the article to another one's translation group:
	// it becomes that article's version in its own language.
	TranslationOf string
}

// ArticleUpdate changes an article; nil fields stay. An article's
// language is fixed when it is created.
type ArticleUpdate struct {
	Title      *string
	Slug       *string
	Summary    *string
	Body       *string
	SectionID  *string
	Visibility *kesher.ArticleVisibility
	State      *kesher.ArticleState
	Position   *int
	// TranslationOf links the article to another's group; "" takes it out
	// of its group into one of its own.
	TranslationOf *string
}

// CreateArticle writes a new article and its first revision. Editors only.
func (d *Desk) CreateArticle(ctx context.Context, in ArticleInput) (*kesher.Article, error) {
	actor, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	in.Visibility = orDefault(in.Visibility, kesher.VisibilityInternal)
	in.State = orDefault(in.State, kesher.ArticleDraft)
	in.Title, in.Summary, in.SectionID = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary), strings.TrimSpace(in.SectionID)
	var v kesher.Validation
	v.Check(in.Language == "he" || in.Language == "en", "language", "invalid")
	derived := strings.TrimSpace(in.Slug) == ""
	slug := normalizeSlug(in.Slug)
	if derived {
		slug = slugFrom(in.Title)
	}
	a := &kesher.Article{Language: in.Language, Title: in.Title, Slug: slug, Summary: in.Summary, Body: in.Body,
		SectionID: in.SectionID, Visibility: in.Visibility, State: in.State, Position: in.Position}
	checkArticle(a, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a.BodyHTML = markdown.HTML(a.Body)
	translationOf := strings.TrimSpace(in.TranslationOf)
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		now := d.clock.Now()
		a.ID = kesher.NewID(now)
		a.GroupID, a.Revision, a.CreatedAt, a.UpdatedAt = a.ID, 1, now, now
		a.CreatedBy, a.UpdatedBy = userID(actor), userID(actor)
		if a.State == kesher.ArticlePublished {
			a.PublishedAt = now
		}
		if err := checkArticleRefs(ctx, tx, a, translationOf); err != nil {
			return err
		}
		if derived {
			if err := freeSlug(ctx, tx, a); err != nil {
				return err
			}
		} else if err := slugFree(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateArticle(ctx, a); err != nil {
			return err
		}
		if err := tx.CreateArticleRevision(ctx, revisionOf(a, 0, now)); err != nil {
			return err
		}
		if a.SectionID != "" {
			s, err := tx.ArticleSection(ctx, a.SectionID)
			if err != nil {
				return err
			}
			a.CategoryID = s.CategoryID
		}
		if err := tx.AppendEvent(ctx, d.event(ctx, EventArticleCreated, articleEvent(a, nil))); err != nil {
			return err
		}
		if a.State == kesher.ArticlePublished {
			return tx.AppendEvent(ctx, d.event(ctx, EventArticlePublished, articleEvent(a, nil)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// UpdateArticle changes an article. A change of title, summary or body
// keeps a new revision; publishing and unpublishing are events of their
// own. Editors only.
func (d *Desk) UpdateArticle(ctx context.Context, id string, up ArticleUpdate) (*kesher.Article, error) {
	actor, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	var v kesher.Validation
	var html string
	if up.Body != nil {
		v.Check(len(*up.Body) <= MaxArticleBody, "body", "too_long")
		if len(*up.Body) <= MaxArticleBody {
			html = markdown.HTML(*up.Body)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var article *kesher.Article
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		a, err := tx.Article(ctx, id)
		if err != nil {
			return err
		}
		was := *a
		trimmed := func(p *string) *string {
			if p == nil {
				return nil
			}
			s := strings.TrimSpace(*p)
			return &s
		}
		changes := map[string]change{}
		apply(changes, "title", &a.Title, trimmed(up.Title))
		apply(changes, "summary", &a.Summary, trimmed(up.Summary))
		apply(changes, "section_id", &a.SectionID, trimmed(up.SectionID))
		apply(changes, "visibility", &a.Visibility, up.Visibility)
		apply(changes, "state", &a.State, up.State)
		apply(changes, "position", &a.Position, up.Position)
		if up.Slug != nil {
			slug := normalizeSlug(*up.Slug)
			apply(changes, "slug", &a.Slug, &slug)
		}
		if up.Body != nil && *up.Body != a.Body {
			a.Body, a.BodyHTML = *up.Body, html
			changes["body"] = change{len(was.Body), len(a.Body)} // sizes: the texts are in the revisions
		}
		var v kesher.Validation
		checkArticle(a, &v)
		if err := v.Err(); err != nil {
			return err
		}
		translationOf := ""
		if up.TranslationOf != nil {
			if translationOf = strings.TrimSpace(*up.TranslationOf); translationOf == "" {
				if err := leaveGroup(ctx, tx, a, d.clock.Now()); err != nil {
					return err
				}
			}
		}
		if err := checkArticleRefs(ctx, tx, a, translationOf); err != nil {
			return err
		}
		if a.GroupID != was.GroupID {
			changes["translation_group"] = change{was.GroupID, a.GroupID}
		}
		article = a
		if len(changes) == 0 {
			return nil
		}
		if a.Slug != was.Slug {
			if err := slugFree(ctx, tx, a); err != nil {
				return err
			}
		}
		now := d.clock.Now()
		a.UpdatedBy = userID(actor)
		if a.Title != was.Title || a.Summary != was.Summary || a.Body != was.Body {
			a.Revision++
			if err := tx.CreateArticleRevision(ctx, revisionOf(a, 0, now)); err != nil {
				return err
			}
		}
		return d.saveArticle(ctx, tx, actor, &was, a, changes, now)
	})
	if err != nil {
		return nil, err
	}
	return article, nil
}

// saveArticle stores a changed article with its events: the update, and
// its publication or withdrawal.
func (d *Desk) saveArticle(ctx context.Context, tx kesher.Tx, actor *kesher.User, was, a *kesher.Article, changes map[string]change, now time.Time) error {
	a.UpdatedBy, a.UpdatedAt = userID(actor), now
	published := a.State == kesher.ArticlePublished && was.State != kesher.ArticlePublished
	if published {
		a.PublishedAt = now
	}
	if err := tx.UpdateArticle(ctx, a); err != nil {
		return err
	}
	a.CategoryID = ""
	if a.SectionID != "" {
		s, err := tx.ArticleSection(ctx, a.SectionID)
		if err != nil {
			return err
		}
		a.CategoryID = s.CategoryID
	}
	if err := tx.AppendEvent(ctx, d.event(ctx, EventArticleUpdated, articleEvent(a, changes))); err != nil {
		return err
	}
	switch {
	case published:
		return tx.AppendEvent(ctx, d.event(ctx, EventArticlePublished, articleEvent(a, nil)))
	case was.State == kesher.ArticlePublished && a.State != kesher.ArticlePublished:
		return tx.AppendEvent(ctx, d.event(ctx, EventArticleUnpublished, articleEvent(a, nil)))
	}
	return nil
}

// DeleteArticle deletes an article with its revisions. Editors only.
func (d *Desk) DeleteArticle(ctx context.Context, id string) error {
	if _, err := editor(ctx); err != nil {
		return err
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		a, err := tx.Article(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteArticle(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, EventArticleDeleted, articleEvent(a, nil)))
	})
}

// ArticleRevisions lists an article's revisions, newest first. Editors
// only.
func (d *Desk) ArticleRevisions(ctx context.Context, id string, p kesher.Page) ([]*kesher.ArticleRevision, string, error) {
	if _, err := editor(ctx); err != nil {
		return nil, "", err
	}
	if _, err := d.store.Article(ctx, id); err != nil {
		return nil, "", err
	}
	return d.store.ArticleRevisions(ctx, id, p)
}

// ArticleRevision returns one revision of an article. Editors only.
func (d *Desk) ArticleRevision(ctx context.Context, id string, number int) (*kesher.ArticleRevision, error) {
	if _, err := editor(ctx); err != nil {
		return nil, err
	}
	return d.store.ArticleRevision(ctx, id, number)
}

// RestoreArticleRevision makes an earlier revision's title, summary and
// body the article's again, as a new revision that says which one it
// restored; the history keeps everything in between. Editors only.
func (d *Desk) RestoreArticleRevision(ctx context.Context, id string, number int) (*kesher.Article, error) {
	actor, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	var article *kesher.Article
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		a, err := tx.Article(ctx, id)
		if err != nil {
			return err
		}
		r, err := tx.ArticleRevision(ctx, id, number)
		if err != nil {
			return err
		}
		was := *a
		a.Title, a.Summary, a.Body, a.BodyHTML = r.Title, r.Summary, r.Body, markdown.HTML(r.Body)
		var v kesher.Validation
		checkArticle(a, &v)
		if err := v.Err(); err != nil {
			return err
		}
		now := d.clock.Now()
		a.Revision, a.UpdatedBy = a.Revision+1, userID(actor)
		if err := tx.CreateArticleRevision(ctx, revisionOf(a, number, now)); err != nil {
			return err
		}
		article = a
		return d.saveArticle(ctx, tx, actor, &was, a, map[string]change{"revision": {was.Revision, a.Revision}, "restored_from": {nil, number}}, now)
	})
	if err != nil {
		return nil, err
	}
	return article, nil
}

// PreviewArticle renders Markdown as the article page would show it, for
// the editor's live preview. Editors only.
func (d *Desk) PreviewArticle(ctx context.Context, body string) (string, error) {
	if _, err := editor(ctx); err != nil {
		return "", err
	}
	if len(body) > MaxArticleBody {
		return "", kesher.FieldError("body", "too_long", "an article's body is at most %d bytes", MaxArticleBody)
	}
	return markdown.HTML(body), nil
}

// UploadArticleImage stores a picture for articles as a blob and returns
// its record. The content type is read from the bytes, never taken from
// the client: PNG, JPEG, GIF and WebP are accepted, up to MaxImageBytes.
// Editors only.
func (d *Desk) UploadArticleImage(ctx context.Context, name string, data []byte) (*kesher.ArticleImage, error) {
	actor, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImageBytes {
		return nil, kesher.Errorf(kesher.ECodeTooLarge, "an image is at most %d bytes", MaxImageBytes)
	}
	var v kesher.Validation
	v.Check(len(data) > 0, "file", "required")
	typ := imageType(data)
	v.Check(len(data) == 0 || typ != "", "file", "not_an_image")
	if err := v.Err(); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name))
	if utf8.RuneCountInString(name) > maxImageName {
		name = string([]rune(name)[:maxImageName])
	}
	sum := sha256.Sum256(data)
	img := &kesher.ArticleImage{SHA256: hex.EncodeToString(sum[:]), ContentType: typ, Size: len(data), Name: name, CreatedBy: userID(actor)}
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		img.CreatedAt = d.clock.Now()
		if err := tx.PutBlob(ctx, img.SHA256, data); err != nil {
			return err
		}
		if err := tx.SaveArticleImage(ctx, img); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "article_image.uploaded", img))
	})
	if err != nil {
		return nil, err
	}
	return img, nil
}

// ArticleImage returns an uploaded image and its bytes to anyone: images
// are served to the help centre's visitors by their hash, which only an
// article that shows them gives away. Other blobs (mail) are never
// served here.
func (d *Desk) ArticleImage(ctx context.Context, hash string) (*kesher.ArticleImage, []byte, error) {
	img, err := d.store.ArticleImage(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	data, err := d.store.Blob(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	return img, data, nil
}

// imageType recognises the image formats the knowledge base takes by
// their signatures; "" for anything else (SVG among them: it can carry
// script).
func imageType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "image/gif"
	case len(b) >= 12 && bytes.HasPrefix(b, []byte("RIFF")) && string(b[8:12]) == "WEBP":
		return "image/webp"
	}
	return ""
}

// checkArticle validates an article's own fields. A public, published
// article needs a section (the help centre has nowhere else to list it)
// and a body.
func checkArticle(a *kesher.Article, v *kesher.Validation) {
	v.Check(a.Title != "", "title", "required")
	v.Check(utf8.RuneCountInString(a.Title) <= maxArticleTitle, "title", "too_long")
	v.Check(a.Slug != "" || a.Title == "", "slug", "required")
	v.Check(a.Slug == "" || validSlug(a.Slug), "slug", "invalid")
	v.Check(utf8.RuneCountInString(a.Summary) <= maxArticleSummary, "summary", "too_long")
	v.Check(len(a.Body) <= MaxArticleBody, "body", "too_long")
	v.Check(a.Visibility.Valid(), "visibility", "invalid")
	v.Check(a.State.Valid(), "state", "invalid")
	v.Check(a.Position >= 0 && a.Position <= maxPosition, "position", "invalid")
	if a.State == kesher.ArticlePublished {
		v.Check(strings.TrimSpace(a.Body) != "", "body", "required")
		v.Check(a.Visibility != kesher.VisibilityPublic || a.SectionID != "", "section_id", "required")
	}
}

// checkArticleRefs checks the section and, with translationOf, joins a to
// that article's group: a version in another language, of a group that
// has none in a's language yet.
func checkArticleRefs(ctx context.Context, tx kesher.Tx, a *kesher.Article, translationOf string) error {
	var v kesher.Validation
	if a.SectionID != "" {
		_, err := tx.ArticleSection(ctx, a.SectionID)
		if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return err
		}
		v.Check(err == nil, "section_id", "unknown")
	}
	if translationOf != "" {
		other, err := tx.Article(ctx, translationOf)
		switch {
		case kesher.ErrorCode(err) == kesher.ECodeNotFound:
			v.Add("translation_of", "unknown")
		case err != nil:
			return err
		case other.ID == a.ID || other.Language == a.Language:
			v.Add("translation_of", "same_language")
		default:
			versions, _, err := tx.Articles(ctx, kesher.ArticleFilter{GroupID: other.GroupID, Language: a.Language, Page: kesher.Page{Limit: 2}})
			if err != nil {
				return err
			}
			for _, x := range versions {
				if x.ID != a.ID {
					v.Add("translation_of", "taken")
				}
			}
			a.GroupID = other.GroupID
		}
	}
	return v.Err()
}

// leaveGroup takes a out of its translation group into one of its own,
// named afresh: its old group may be named by a's id and still hold the
// other versions.
func leaveGroup(ctx context.Context, q kesher.Queries, a *kesher.Article, now time.Time) error {
	n, err := q.CountArticles(ctx, kesher.ArticleFilter{GroupID: a.GroupID}, 2)
	if err != nil || n < 2 {
		return err
	}
	a.GroupID = kesher.NewID(now)
	return nil
}

// slugFree reports an explicit slug that another article of the language
// has as taken.
func slugFree(ctx context.Context, q kesher.Queries, a *kesher.Article) error {
	other, err := q.ArticleBySlug(ctx, a.Language, a.Slug)
	switch {
	case kesher.ErrorCode(err) == kesher.ECodeNotFound:
		return nil
	case err != nil:
		return err
	case other.ID != a.ID:
		return kesher.FieldError("slug", "taken", "another article in %s has the slug %q", a.Language, a.Slug)
	}
	return nil
}

// freeSlug makes a slug made from the title unique in its language by
// numbering it: החזרות, החזרות-2, החזרות-3…
func freeSlug(ctx context.Context, q kesher.Queries, a *kesher.Article) error {
	base := a.Slug
	for n := 2; ; n++ {
		if err := slugFree(ctx, q, a); kesher.ErrorCode(err) != kesher.ECodeValidation {
			return err
		}
		a.Slug = base + "-" + strconv.Itoa(n)
	}
}

// normalizeSlug lower-cases a given slug and trims it; validSlug then
// says whether it is one.
func normalizeSlug(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// validSlug accepts words of letters (any script) and digits joined by
// single hyphens, in lower case: "return-policy", "מדיניות-החזרות".
func validSlug(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > maxArticleSlug || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// slugFrom makes a slug of a title: its letters and digits in lower case,
// words joined by hyphens, Hebrew points left out, at most
// derivedSlugRunes characters.
func slugFrom(title string) string {
	var b strings.Builder
	n, gap := 0, false
	for _, r := range strings.ToLower(title) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // niqqud and other marks
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if gap && b.Len() > 0 {
				if n+1 >= derivedSlugRunes {
					return b.String()
				}
				b.WriteByte('-')
				n++
			}
			if n >= derivedSlugRunes {
				return b.String()
			}
			b.WriteRune(r)
			n++
			gap = false
		default:
			gap = true
		}
	}
	return b.String()
}

// revisionOf is the revision that a's current content makes.
func revisionOf(a *kesher.Article, restoredFrom int, now time.Time) *kesher.ArticleRevision {
	return &kesher.ArticleRevision{ArticleID: a.ID, Number: a.Revision, Title: a.Title, Summary: a.Summary, Body: a.Body,
		AuthorID: a.UpdatedBy, RestoredFrom: restoredFrom, CreatedAt: now}
}

// articleEvent is the data of an article's audit event: what it is and,
// for an update, what changed.
func articleEvent(a *kesher.Article, changes map[string]change) map[string]any {
	data := map[string]any{"article_id": a.ID, "language": a.Language, "title": a.Title, "slug": a.Slug,
		"visibility": a.Visibility, "state": a.State, "revision": a.Revision}
	if changes != nil {
		data["changes"] = changes
	}
	return data
}

// userID is the id of a user, "" for the system.
func userID(u *kesher.User) string {
	if u == nil {
		return ""
	}
	return u.ID
}
