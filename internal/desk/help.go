package desk

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
)

// The public help centre (P6): what anyone may read without signing in,
// the answers to "did this help?", the contact form, and the measure of
// deflection. The rule that only public, published articles are ever
// shown lives here, in every method, whoever asks.

// HelpConfig tunes the help centre's statistics.
type HelpConfig struct {
	// DeflectionWindow is how long after a help-centre session a
	// conversation from the contact form still counts against it: a
	// session ends without a conversation, deflected, when none follows
	// within it. Default 24 hours.
	DeflectionWindow time.Duration
	// SessionGap is the quiet time after which a visitor's next view or
	// search starts a new session. Default 30 minutes.
	SessionGap time.Duration
}

func (c HelpConfig) withDefaults() HelpConfig {
	if c.DeflectionWindow <= 0 {
		c.DeflectionWindow = 24 * time.Hour
	}
	if c.SessionGap <= 0 {
		c.SessionGap = 30 * time.Minute
	}
	return c
}

// Limits of the help centre's input.
const (
	maxContactName    = 200
	maxContactSubject = 200
	// MaxContactMessage bounds the contact form's message, in characters.
	MaxContactMessage = 10000
	maxSearchQuery    = 200
	// maxHelpRange bounds the period of the statistics.
	maxHelpRange = 366 * 24 * time.Hour
	// helpListLimit bounds the articles a help page lists.
	helpListLimit = kesher.MaxPageLimit
)

// HelpCategory is a category as the help centre shows it in one
// language: the sections that have articles in it.
type HelpCategory struct {
	*kesher.ArticleCategory
	Sections []*HelpSection
}

// HelpSection is a section with its public, published articles in one
// language, the first of them or all (Count is how many there are).
type HelpSection struct {
	*kesher.ArticleSection
	Articles []*kesher.Article
	Count    int
}

// publicIn selects the public, published articles of a language.
func publicIn(lang string) kesher.ArticleFilter {
	return kesher.ArticleFilter{Language: lang, Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished, ByPosition: true}
}

// HelpCategories returns the help centre's home in lang: the categories
// with the sections that have articles in that language, each with its
// first perSection articles. Empty sections and categories are left out.
func (d *Desk) HelpCategories(ctx context.Context, lang string, perSection int) ([]*HelpCategory, error) {
	cats, err := d.store.ArticleCategories(ctx)
	if err != nil {
		return nil, err
	}
	sections, err := d.store.ArticleSections(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []*HelpCategory
	for _, c := range cats {
		hc, err := d.helpCategory(ctx, lang, c, sections, perSection)
		if err != nil {
			return nil, err
		}
		if len(hc.Sections) > 0 {
			out = append(out, hc)
		}
	}
	return out, nil
}

// HelpCategory returns one category in lang with its sections that have
// articles, each with its first perSection articles. A category exists in
// both languages, so it is found even when it is empty in lang.
func (d *Desk) HelpCategory(ctx context.Context, lang, id string, perSection int) (*HelpCategory, error) {
	c, err := d.store.ArticleCategory(ctx, id)
	if err != nil {
		return nil, err
	}
	sections, err := d.store.ArticleSections(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.helpCategory(ctx, lang, c, sections, perSection)
}

func (d *Desk) helpCategory(ctx context.Context, lang string, c *kesher.ArticleCategory, sections []*kesher.ArticleSection, perSection int) (*HelpCategory, error) {
	hc := &HelpCategory{ArticleCategory: c}
	for _, s := range sections {
		if s.CategoryID != c.ID {
			continue
		}
		hs, err := d.helpSection(ctx, lang, s, perSection)
		if err != nil {
			return nil, err
		}
		if hs.Count > 0 {
			hc.Sections = append(hc.Sections, hs)
		}
	}
	return hc, nil
}

// HelpSection returns a section in lang with its public, published
// articles (up to 200), and its category.
func (d *Desk) HelpSection(ctx context.Context, lang, id string) (*HelpSection, *kesher.ArticleCategory, error) {
	s, err := d.store.ArticleSection(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := d.store.ArticleCategory(ctx, s.CategoryID)
	if err != nil {
		return nil, nil, err
	}
	hs, err := d.helpSection(ctx, lang, s, helpListLimit)
	return hs, c, err
}

func (d *Desk) helpSection(ctx context.Context, lang string, s *kesher.ArticleSection, limit int) (*HelpSection, error) {
	f := publicIn(lang)
	f.SectionID, f.Page.Limit = s.ID, limit
	articles, next, err := d.store.Articles(ctx, f)
	if err != nil {
		return nil, err
	}
	hs := &HelpSection{ArticleSection: s, Articles: articles, Count: len(articles)}
	if next != "" {
		if hs.Count, err = d.store.CountArticles(ctx, f, 10000); err != nil {
			return nil, err
		}
	}
	return hs, nil
}

// HelpArticlePage is an article as the help centre shows it: where it
// sits and its versions in the other language that are public too.
type HelpArticlePage struct {
	Article      *kesher.Article
	Section      *kesher.ArticleSection
	Category     *kesher.ArticleCategory
	Translations []*kesher.Article
}

// HelpArticle finds the public, published article with slug in lang.
// Anything else, a draft or an internal article included, does not exist
// here: ECodeNotFound, as for a slug nobody used.
func (d *Desk) HelpArticle(ctx context.Context, lang, slug string) (*HelpArticlePage, error) {
	a, err := d.store.ArticleBySlug(ctx, lang, slug)
	if err == nil && !a.Public() {
		err = kesher.Errorf(kesher.ECodeNotFound, "article %s/%s not found", lang, slug)
	}
	if err != nil {
		return nil, err
	}
	p := &HelpArticlePage{Article: a}
	if a.SectionID != "" {
		if p.Section, err = d.store.ArticleSection(ctx, a.SectionID); err != nil {
			return nil, err
		}
		if p.Category, err = d.store.ArticleCategory(ctx, p.Section.CategoryID); err != nil {
			return nil, err
		}
	}
	f := publicIn("")
	f.GroupID, f.Page.Limit = a.GroupID, 10
	versions, _, err := d.store.Articles(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		if v.ID != a.ID {
			p.Translations = append(p.Translations, v)
		}
	}
	return p, nil
}

// HelpSitemap lists every public, published article in both languages,
// by position, up to max: the help centre's sitemap.
func (d *Desk) HelpSitemap(ctx context.Context, max int) ([]*kesher.Article, error) {
	var all []*kesher.Article
	f := publicIn("")
	err := eachPage(func(p kesher.Page) (string, error) {
		f.Page = p
		list, next, err := d.store.Articles(ctx, f)
		all = append(all, list...)
		if len(all) >= max {
			all, next = all[:max], ""
		}
		return next, err
	})
	return all, err
}

// RecordHelpView records that a visitor opened an article. The article
// must be one the help centre shows.
func (d *Desk) RecordHelpView(ctx context.Context, visitor kesher.VisitorID, articleID string) error {
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		return tx.RecordHelpEvent(ctx, &kesher.HelpEvent{Visitor: visitor, At: d.clock.Now(), Kind: kesher.HelpView, Ref: articleID})
	})
}

// HelpSearch is one search made in the help centre.
type HelpSearch struct {
	Visitor kesher.VisitorID
	// Query is what the visitor typed; it is kept, trimmed, up to 200
	// characters, for the knowledge base's editors to learn from.
	Query   string
	Results int
}

// RecordHelpSearch records a help-centre search for the statistics: the
// search feature calls it with the visitor's id, the query and how many
// results it found. A blank query is ECodeValidation on "q".
func (d *Desk) RecordHelpSearch(ctx context.Context, s HelpSearch) error {
	q := strings.Join(strings.Fields(s.Query), " ")
	var v kesher.Validation
	v.Check(q != "", "q", "required")
	v.Check(s.Results >= 0, "results", "invalid")
	v.Check(s.Visitor > 0, "visitor", "invalid")
	if err := v.Err(); err != nil {
		return err
	}
	if utf8.RuneCountInString(q) > maxSearchQuery {
		q = string([]rune(q)[:maxSearchQuery])
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		return tx.RecordHelpEvent(ctx, &kesher.HelpEvent{Visitor: s.Visitor, At: d.clock.Now(), Kind: kesher.HelpSearch, Query: q, Results: s.Results})
	})
}

// HelpFeedback records a visitor's answer to "did this help?" about a
// public, published article; a second answer replaces the first, so each
// visitor counts once per article.
func (d *Desk) HelpFeedback(ctx context.Context, visitor kesher.VisitorID, articleID string, helpful bool) error {
	if visitor <= 0 {
		return kesher.FieldError("visitor", "invalid", "feedback needs the visitor's id")
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		a, err := tx.Article(ctx, articleID)
		if err == nil && !a.Public() {
			err = kesher.Errorf(kesher.ECodeNotFound, "article %s not found", articleID)
		}
		if err != nil {
			return err
		}
		return tx.SaveArticleFeedback(ctx, &kesher.ArticleFeedback{ArticleID: articleID, Visitor: visitor, Helpful: helpful, At: d.clock.Now()})
	})
}

// VisitorFeedback returns a visitor's answer about an article, so the
// page can thank them instead of asking again; ECodeNotFound when they
// gave none.
func (d *Desk) VisitorFeedback(ctx context.Context, visitor kesher.VisitorID, articleID string) (*kesher.ArticleFeedback, error) {
	return d.store.ArticleFeedbackOf(ctx, articleID, visitor)
}

// ArticleFeedback counts the answers about one article, for its editors.
func (d *Desk) ArticleFeedback(ctx context.Context, articleID string) (kesher.Feedback, error) {
	if _, err := editor(ctx); err != nil {
		return kesher.Feedback{}, err
	}
	counts, err := d.store.FeedbackCounts(ctx, time.Time{}, time.Time{})
	return counts[articleID], err
}

// HelpContact is what a visitor sends with the help centre's contact form.
type HelpContact struct {
	Visitor  kesher.VisitorID
	Language string
	Name     string
	Email    string
	Subject  string
	Message  string
}

// SubmitHelpContact opens a conversation from the contact form through
// the desk's normal intake, on the web channel, finding or creating the
// customer by email, and records the contact against the visitor's
// help-centre sessions in the same Write. Anyone may call it: intake runs
// as the system whoever is signed in. Every bad field is reported at once
// and nothing is created.
func (d *Desk) SubmitHelpContact(ctx context.Context, in HelpContact) (*kesher.Conversation, error) {
	in.Name, in.Subject, in.Message = strings.TrimSpace(in.Name), strings.TrimSpace(in.Subject), strings.TrimSpace(in.Message)
	var v kesher.Validation
	v.Check(in.Name != "", "name", "required")
	v.Check(utf8.RuneCountInString(in.Name) <= maxContactName, "name", "too_long")
	email, err := kesher.NormalizeEmail(strings.TrimSpace(in.Email))
	v.Check(strings.TrimSpace(in.Email) != "", "email", "required")
	v.Check(strings.TrimSpace(in.Email) == "" || err == nil, "email", "invalid")
	v.Check(in.Subject != "", "subject", "required")
	v.Check(utf8.RuneCountInString(in.Subject) <= maxContactSubject, "subject", "too_long")
	v.Check(in.Message != "", "message", "required")
	v.Check(utf8.RuneCountInString(in.Message) <= MaxContactMessage, "message", "too_long")
	v.Check(validLanguage(in.Language), "language", "invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	system := kesher.WithActor(ctx, nil)
	conv, _, err := d.CreateConversation(system, NewConversation{
		Customer: CustomerRef{Email: email, Name: in.Name, Language: orDefault(in.Language, "he")},
		Subject:  in.Subject, Channel: kesher.ChannelWeb,
		Message: NewMessage{BodyText: in.Message},
		alsoRecord: func(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation) error {
			if in.Visitor <= 0 {
				return nil
			}
			return tx.RecordHelpEvent(ctx, &kesher.HelpEvent{Visitor: in.Visitor, At: conv.CreatedAt, Kind: kesher.HelpContact, Ref: conv.ID})
		},
	})
	return conv, err
}

// HelpStats measures the help centre over [from, to) for leads and
// admins: views, searches, contacts, and the sessions that started in the
// period with how many were deflected. A zero to means now, a zero from 30
// days before to; the period is at most a year.
func (d *Desk) HelpStats(ctx context.Context, from, to time.Time) (*kesher.HelpStats, error) {
	if _, err := require(ctx, kesher.RoleLead); err != nil {
		return nil, err
	}
	now := d.clock.Now()
	to = timeOr(to, now)
	from = timeOr(from, to.Add(-30*24*time.Hour))
	var v kesher.Validation
	v.Check(from.Before(to), "from", "invalid")
	v.Check(to.Sub(from) <= maxHelpRange, "from", "too_early")
	if err := v.Err(); err != nil {
		return nil, err
	}
	cfg := d.help
	st := &kesher.HelpStats{From: from, To: to, Window: kesher.Seconds(cfg.DeflectionWindow), Articles: []kesher.ArticleStats{}}
	perArticle := map[string]*kesher.ArticleStats{}
	article := func(id string) *kesher.ArticleStats {
		s := perArticle[id]
		if s == nil {
			s = &kesher.ArticleStats{ArticleID: id}
			perArticle[id] = s
		}
		return s
	}
	// A session running at from has an event within the gap before it, so
	// reading from there tells it from one that starts in the period; a
	// contact that follows a session may come up to the window after to.
	var visitor []*kesher.HelpEvent
	flush := func() {
		tallySessions(visitor, from, to, now, cfg, st, article)
		visitor = visitor[:0]
	}
	err := d.store.EachHelpEvent(ctx, from.Add(-cfg.SessionGap), to.Add(cfg.DeflectionWindow), func(e *kesher.HelpEvent) error {
		if len(visitor) > 0 && visitor[0].Visitor != e.Visitor {
			flush()
		}
		visitor = append(visitor, e)
		if e.At.Before(from) || !e.At.Before(to) {
			return nil
		}
		switch e.Kind {
		case kesher.HelpView:
			st.Views++
			article(e.Ref).Views++
		case kesher.HelpSearch:
			st.Searches++
			if e.Results == 0 {
				st.SearchesWithoutResults++
			}
		case kesher.HelpContact:
			st.Contacts++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	flush()
	if decided := st.Sessions - st.PendingSessions; decided > 0 {
		st.DeflectionRate = float64(st.DeflectedSessions) / float64(decided)
	}
	feedback, err := d.store.FeedbackCounts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	for id, f := range feedback {
		article(id).Feedback = f
	}
	for id, s := range perArticle {
		a, err := d.store.Article(ctx, id)
		switch {
		case err == nil:
			s.Title, s.Language = a.Title, a.Language
		case kesher.ErrorCode(err) != kesher.ECodeNotFound:
			return nil, err
		}
		st.Articles = append(st.Articles, *s)
	}
	slices.SortFunc(st.Articles, func(a, b kesher.ArticleStats) int {
		if a.Views != b.Views {
			return b.Views - a.Views
		}
		return strings.Compare(a.ArticleID, b.ArticleID)
	})
	return st, nil
}

// tallySessions adds one visitor's sessions to st. events are the
// visitor's, by time. A session is a run of views and searches with no
// gap longer than cfg.SessionGap; it counts when it starts in [from, to).
// A contact from its start until the window after its end means it did
// not deflect; without one it is deflected once the window has passed,
// and pending until then.
func tallySessions(events []*kesher.HelpEvent, from, to, now time.Time, cfg HelpConfig, st *kesher.HelpStats, article func(string) *kesher.ArticleStats) {
	var contacts []time.Time
	for _, e := range events {
		if e.Kind == kesher.HelpContact {
			contacts = append(contacts, e.At)
		}
	}
	type session struct {
		start, end time.Time
		viewed     []string
	}
	var sessions []*session
	for _, e := range events {
		if e.Kind == kesher.HelpContact {
			continue
		}
		if n := len(sessions); n == 0 || e.At.Sub(sessions[n-1].end) > cfg.SessionGap {
			sessions = append(sessions, &session{start: e.At})
		}
		s := sessions[len(sessions)-1]
		s.end = e.At
		if e.Kind == kesher.HelpView && !slices.Contains(s.viewed, e.Ref) {
			s.viewed = append(s.viewed, e.Ref)
		}
	}
	for _, s := range sessions {
		if s.start.Before(from) || !s.start.Before(to) {
			continue
		}
		st.Sessions++
		deadline := s.end.Add(cfg.DeflectionWindow)
		followed := slices.ContainsFunc(contacts, func(c time.Time) bool { return !c.Before(s.start) && !c.After(deadline) })
		deflected := false
		switch {
		case followed:
		case deadline.After(now):
			st.PendingSessions++
		default:
			st.DeflectedSessions++
			deflected = true
		}
		for _, id := range s.viewed {
			a := article(id)
			a.Sessions++
			if deflected {
				a.Deflected++
			}
		}
	}
}
