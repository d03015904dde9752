package kesher

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
)

// The knowledge base (P5) and the public help centre (P6). Articles are
// written in Markdown, in Hebrew or English; the two language versions of
// one article share a translation group. Categories hold sections and
// sections hold articles. Agents read the published internal and public
// articles; leads and admins, the editors, also write them and see drafts.
// The help centre shows only public, published articles.

// ArticleVisibility says who may read an article.
type ArticleVisibility string

// Visibilities: internal articles are the agents' (policies, procedures);
// public ones are also the help centre's.
const (
	VisibilityInternal ArticleVisibility = "internal"
	VisibilityPublic   ArticleVisibility = "public"
)

// Valid reports whether v is a known visibility.
func (v ArticleVisibility) Valid() bool { return v == VisibilityInternal || v == VisibilityPublic }

// ArticleState is whether an article is still being written.
type ArticleState string

// States: a draft is seen by editors only.
const (
	ArticleDraft     ArticleState = "draft"
	ArticlePublished ArticleState = "published"
)

// Valid reports whether s is a known state.
func (s ArticleState) Valid() bool { return s == ArticleDraft || s == ArticlePublished }

// Names is a text in the help centre's two languages.
type Names struct {
	He string `json:"he"`
	En string `json:"en"`
}

// In returns the text in lang, or in the other language when lang's is
// empty, so a category named in one language still shows in both.
func (n Names) In(lang string) string {
	if lang == "en" && n.En != "" || n.He == "" {
		return n.En
	}
	return n.He
}

// ArticleCategory is the top level of the knowledge base, such as
// "Delivery". Position orders categories, lowest first.
type ArticleCategory struct {
	ID          string    `json:"id"`
	Name        Names     `json:"name"`
	Description Names     `json:"description"`
	Position    int       `json:"position"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ArticleSection groups the articles of a category, such as "Delivery
// times". Position orders the sections of a category.
type ArticleSection struct {
	ID          string    `json:"id"`
	CategoryID  string    `json:"category_id"`
	Name        Names     `json:"name"`
	Description Names     `json:"description"`
	Position    int       `json:"position"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Article is one language version of a knowledge-base article.
type Article struct {
	ID string `json:"id"`
	// GroupID links the language versions of one article: each language
	// has at most one version in a group. A new article starts a group
	// named by its own id.
	GroupID  string `json:"translation_group"`
	Language string `json:"language"`
	Title    string `json:"title"`
	// Slug names the article in help-centre URLs; it is unique per
	// language and may be Hebrew (percent-encoded in the URL).
	Slug string `json:"slug"`
	// Summary is the page's description for search engines and lists;
	// "" means the body's first paragraph.
	Summary string `json:"summary"`
	// Body is the Markdown the author wrote; BodyHTML is it rendered and
	// sanitised, kept beside it so pages never render on a read.
	Body     string `json:"body"`
	BodyHTML string `json:"body_html"`
	// SectionID places the article; CategoryID is the section's category,
	// read with the article. A public published article has a section.
	SectionID  string            `json:"section_id"`
	CategoryID string            `json:"category_id"`
	Visibility ArticleVisibility `json:"visibility"`
	State      ArticleState      `json:"state"`
	// Position orders the articles of a section, lowest first.
	Position int `json:"position"`
	// Revision is the number of the revision that holds the current
	// title, summary and body.
	Revision    int       `json:"revision"`
	CreatedBy   string    `json:"created_by"`
	UpdatedBy   string    `json:"updated_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	PublishedAt time.Time `json:"published_at"`
}

// Public reports whether the help centre may show the article.
func (a *Article) Public() bool {
	return a.Visibility == VisibilityPublic && a.State == ArticlePublished
}

// ArticleRevision is the title, summary and body of an article as one save
// left them. Revisions are numbered from 1 per article and never change.
type ArticleRevision struct {
	ArticleID string `json:"article_id"`
	Number    int    `json:"number"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Body      string `json:"body"`
	// AuthorID is the user who saved it ("" for the system).
	AuthorID string `json:"author_id"`
	// RestoredFrom is the revision this one restored, 0 for an edit.
	RestoredFrom int       `json:"restored_from"`
	CreatedAt    time.Time `json:"created_at"`
}

// ArticleImage is a picture uploaded for articles. Its bytes are a blob
// under the same SHA-256; ContentType was sniffed from them.
type ArticleImage struct {
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	Name        string    `json:"name"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// ImagePathPrefix is where the desk serves uploaded images, by their
// SHA-256, to anyone (the help centre's visitors among them): the path is
// part of the articles that show them, so it never changes.
const ImagePathPrefix = "/kb/images/"

// Path returns the image's stable path on the desk's site.
func (img *ArticleImage) Path() string { return ImagePathPrefix + img.SHA256 }

// Markdown is what shows the image in an article: its name without the
// extension as the alternative text (brackets, which would end it, left
// out).
func (img *ArticleImage) Markdown() string {
	alt := img.Name
	if i := strings.LastIndexByte(alt, '.'); i > 0 {
		alt = alt[:i]
	}
	alt = strings.NewReplacer("[", "", "]", "", "\n", " ", "\r", "").Replace(alt)
	return "![" + alt + "](" + img.Path() + ")"
}

// ArticleFilter selects articles; empty fields do not filter. Articles
// are listed by last update, newest first, or with ByPosition by section
// position order (section, position, id), as the help centre shows them.
type ArticleFilter struct {
	CategoryID string
	SectionID  string
	Language   string
	Visibility ArticleVisibility
	State      ArticleState
	GroupID    string
	ByPosition bool
	Page       Page
}

// Feedback counts the answers to "did this help?".
type Feedback struct {
	Helpful    int `json:"helpful"`
	NotHelpful int `json:"not_helpful"`
}

// ArticleFeedback is one visitor's answer about one article; a visitor who
// answers again changes their answer.
type ArticleFeedback struct {
	ArticleID string
	Visitor   VisitorID
	Helpful   bool
	At        time.Time
}

// VisitorID is the help centre's anonymous first-party id of a browser:
// a random number in a cookie, carrying nothing about the person, so that
// views, searches and a later contact can be told apart per visitor.
type VisitorID int64

// NewVisitorID returns a random positive id.
func NewVisitorID() VisitorID {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail on supported platforms
	id := VisitorID(binary.BigEndian.Uint64(b[:]) >> 1)
	if id == 0 {
		id = 1
	}
	return id
}

// String writes the id for a cookie, in base 36.
func (v VisitorID) String() string { return strconv.FormatInt(int64(v), 36) }

// ParseVisitorID reads an id written by String; ok is false for anything
// else (the visitor then gets a new one).
func ParseVisitorID(s string) (VisitorID, bool) {
	if s == "" || len(s) > 13 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 36, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return VisitorID(n), true
}

// HelpEventKind is what a visitor did in the help centre.
type HelpEventKind int

// Help-centre activity, stored as small integers.
const (
	HelpView    HelpEventKind = 1
	HelpSearch  HelpEventKind = 2
	HelpContact HelpEventKind = 3
)

// HelpEvent is one raw record of the help centre's activity: a visitor
// viewed an article (Ref is its id), searched (Query, Results) or sent
// the contact form (Ref is the conversation it opened).
type HelpEvent struct {
	Visitor VisitorID
	At      time.Time
	Kind    HelpEventKind
	Ref     string
	Query   string
	Results int
}

// HelpStats is what the help centre did for customers over a period:
// its activity, its visitors' sessions (runs of views and searches with
// no gap longer than the session gap) and how many of them ended without
// a conversation from the contact form within the deflection window.
type HelpStats struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Window   Seconds   `json:"window_seconds"`
	Views    int       `json:"views"`
	Searches int       `json:"searches"`
	// SearchesWithoutResults are the searches that found nothing: what
	// the knowledge base lacks.
	SearchesWithoutResults int `json:"searches_without_results"`
	Contacts               int `json:"contacts"`
	// Sessions started in the period. Deflected ones were followed by no
	// contact within the window; pending ones are too recent to tell.
	Sessions          int `json:"sessions"`
	DeflectedSessions int `json:"deflected_sessions"`
	PendingSessions   int `json:"pending_sessions"`
	// DeflectionRate is deflected sessions over the decided ones, 0 when
	// none is decided.
	DeflectionRate float64        `json:"deflection_rate"`
	Articles       []ArticleStats `json:"articles"`
}

// Seconds is a duration written as whole seconds in JSON.
type Seconds time.Duration

// MarshalJSON writes the duration in seconds.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(time.Duration(s)/time.Second), 10), nil
}

// ArticleStats is one article's part of the help-centre statistics.
type ArticleStats struct {
	ArticleID string `json:"article_id"`
	Language  string `json:"language"`
	Title     string `json:"title"`
	Views     int    `json:"views"`
	// Sessions counts the sessions that viewed it, and Deflected those of
	// them that were deflected.
	Sessions  int `json:"sessions"`
	Deflected int `json:"deflected_sessions"`
	Feedback
}

// Knowledge reads the knowledge base and the help centre's activity.
type Knowledge interface {
	ArticleCategory(ctx context.Context, id string) (*ArticleCategory, error)
	// ArticleCategories lists every category by position, then id.
	ArticleCategories(ctx context.Context) ([]*ArticleCategory, error)
	ArticleSection(ctx context.Context, id string) (*ArticleSection, error)
	// ArticleSections lists the sections of a category ("" for every
	// category) by category position, position, then id.
	ArticleSections(ctx context.Context, categoryID string) ([]*ArticleSection, error)

	Article(ctx context.Context, id string) (*Article, error)
	// ArticleBySlug finds an article by its language and slug.
	ArticleBySlug(ctx context.Context, language, slug string) (*Article, error)
	// Articles lists what f selects (see ArticleFilter) with cursor pages.
	Articles(ctx context.Context, f ArticleFilter) ([]*Article, string, error)
	// CountArticles counts what f selects (f.Page is ignored) up to max,
	// as CountConversations does.
	CountArticles(ctx context.Context, f ArticleFilter, max int) (int, error)

	// ArticleRevisions lists an article's revisions, newest first.
	ArticleRevisions(ctx context.Context, articleID string, p Page) ([]*ArticleRevision, string, error)
	ArticleRevision(ctx context.Context, articleID string, number int) (*ArticleRevision, error)
	ArticleImage(ctx context.Context, sha256 string) (*ArticleImage, error)

	// FeedbackCounts counts the answers about each article given or
	// changed in [from, to) (zero times leave that side open); articles
	// with none are absent.
	FeedbackCounts(ctx context.Context, from, to time.Time) (map[string]Feedback, error)
	// ArticleFeedbackOf returns one visitor's answer about an article;
	// ECodeNotFound when they gave none.
	ArticleFeedbackOf(ctx context.Context, articleID string, visitor VisitorID) (*ArticleFeedback, error)
	// EachHelpEvent calls fn with every help-centre event in [from, to),
	// ordered by visitor, then time, until fn returns an error, which it
	// returns.
	EachHelpEvent(ctx context.Context, from, to time.Time, fn func(*HelpEvent) error) error
}

// KnowledgeTx writes the knowledge base and the help centre's activity.
type KnowledgeTx interface {
	// SaveArticleCategory inserts or replaces a category.
	SaveArticleCategory(ctx context.Context, c *ArticleCategory) error
	// DeleteArticleCategory deletes a category; one that still has
	// sections is ECodeConflict.
	DeleteArticleCategory(ctx context.Context, id string) error
	// SaveArticleSection inserts or replaces a section; an unknown
	// category is ECodeNotFound.
	SaveArticleSection(ctx context.Context, s *ArticleSection) error
	// DeleteArticleSection deletes a section; one that still has articles
	// is ECodeConflict.
	DeleteArticleSection(ctx context.Context, id string) error

	// CreateArticle inserts an article. A slug taken in its language, or
	// a second version of one language in a group, is ECodeConflict.
	CreateArticle(ctx context.Context, a *Article) error
	// UpdateArticle saves every field of a but its id and creation.
	UpdateArticle(ctx context.Context, a *Article) error
	// DeleteArticle deletes an article with its revisions and feedback.
	DeleteArticle(ctx context.Context, id string) error
	// CreateArticleRevision inserts a revision; a taken number is
	// ECodeConflict.
	CreateArticleRevision(ctx context.Context, r *ArticleRevision) error
	// SaveArticleImage records an uploaded image whose blob is stored;
	// recording the same image again does nothing.
	SaveArticleImage(ctx context.Context, img *ArticleImage) error

	// SaveArticleFeedback inserts or replaces a visitor's answer.
	SaveArticleFeedback(ctx context.Context, f *ArticleFeedback) error
	// RecordHelpEvent appends one record of help-centre activity.
	RecordHelpEvent(ctx context.Context, e *HelpEvent) error
}
