package demo

import (
	"context"
	"fmt"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// helpArticle is a published article of the demo's help centre that
// visitors read, with how often (weight).
type helpArticle struct {
	id     string
	lang   string
	weight int
}

// popularHelp are the slugs visitors read most, as in any retailer's help
// centre: where is my order, how do I return it, when is my money back.
var popularHelp = map[string]int{
	"זמני-משלוח": 9, "delivery-times": 9, "מדיניות-החזרות": 10, "return-policy": 10, "איפוס-סיסמה": 6, "reset-password": 6,
	"חשבונית-מס": 5, "tax-invoice": 5,
}

// makeHelpCentre writes the knowledge base as its editors did, at the
// start of the demo's history: the categories and sections, then each
// article in Hebrew and its English version linked to it, by the team's
// leads.
func (g *gen) makeHelpCentre() error {
	var editors []context.Context
	for _, a := range g.agents {
		if a.Role == kesher.RoleLead {
			editors = append(editors, a.ctx)
		}
	}
	if len(editors) == 0 {
		return fmt.Errorf("help centre: the demo desk has no lead to write it")
	}
	sections := map[string]string{}
	for i, c := range helpCategories {
		cat, err := g.d.SaveArticleCategory(editors[0], "", desk.CategoryInput{Name: kesher.Names{He: c.nameHe, En: c.nameEn},
			Description: kesher.Names{He: c.descHe, En: c.descEn}, Position: i})
		if err != nil {
			return fmt.Errorf("category %s: %w", c.key, err)
		}
		for j, s := range c.sections {
			sec, err := g.d.SaveArticleSection(editors[0], "", desk.CategoryInput{CategoryID: cat.ID, Name: kesher.Names{He: s.nameHe, En: s.nameEn}, Position: j})
			if err != nil {
				return fmt.Errorf("section %s: %w", s.key, err)
			}
			sections[s.key] = sec.ID
		}
	}
	positions := map[string]int{}
	for i, tp := range helpTopics {
		g.clock.t = g.clock.t.Add(g.between(20*time.Minute, 4*time.Hour))
		ctx := editors[i%len(editors)]
		in := desk.ArticleInput{SectionID: sections[tp.section], Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished,
			Position: positions[tp.section]}
		if tp.internal {
			in.Visibility = kesher.VisibilityInternal
		}
		if tp.draft {
			in.State = kesher.ArticleDraft
		}
		positions[tp.section]++
		var first *kesher.Article
		for _, v := range []struct {
			lang string
			t    *helpText
		}{{"he", tp.he}, {"en", tp.en}} {
			if v.t == nil {
				continue
			}
			in.Language, in.Title, in.Slug, in.Summary, in.Body = v.lang, v.t.title, v.t.slug, v.t.summary, v.t.body
			if first != nil {
				in.TranslationOf = first.ID
			}
			a, err := g.d.CreateArticle(ctx, in)
			if err != nil {
				return fmt.Errorf("article %q: %w", v.t.title, err)
			}
			if first == nil {
				first = a
			}
			g.sum.Articles++
			if a.Public() {
				g.help = append(g.help, helpArticle{id: a.ID, lang: a.Language, weight: max(1, popularHelp[a.Slug])})
			}
		}
	}
	return nil
}

// helpDays is how far back the help centre's activity goes.
const helpDays = 30

// helpActivity is the help centre's last month: visitors who read
// articles and left, some who answered "did this help?", and before each
// conversation that came through the web form a visit that did not find
// the answer. It also brings the two most read articles up to date, as
// editors do, so that they have revisions.
func (g *gen) helpActivity() error {
	start := g.now.Add(-helpDays * 24 * time.Hour)
	editor := g.leadFor("he").ctx
	for _, slug := range []string{"מדיניות-החזרות", "זמני-משלוח"} {
		g.clock.t = start.Add(g.between(0, 5*24*time.Hour))
		a, err := g.d.HelpArticle(g.ctx, "he", slug)
		if err != nil {
			return fmt.Errorf("help article %s: %w", slug, err)
		}
		body := a.Article.Body + "\n\nלשאלות נוספות אפשר לכתוב לנו בטופס יצירת הקשר, ונחזור אליכם תוך יום עסקים."
		if _, err := g.d.UpdateArticle(editor, a.Article.ID, desk.ArticleUpdate{Body: &body}); err != nil {
			return err
		}
	}
	var web []*kesher.Conversation
	f := kesher.ConversationFilter{Channels: []kesher.Channel{kesher.ChannelWeb}, Page: kesher.Page{Limit: kesher.MaxPageLimit}}
	for {
		page, next, err := g.d.Conversations(g.ctx, f)
		if err != nil {
			return err
		}
		for _, c := range page {
			if c.CreatedAt.After(start) {
				web = append(web, c)
			}
		}
		if next == "" {
			break
		}
		f.Page.Cursor = next
	}
	// Visitors who wrote to us: a visit of a few articles in their
	// language just before, then the conversation.
	for _, c := range web {
		lang := "he"
		if cust, err := g.d.Customer(g.ctx, c.CustomerID); err == nil && cust.Language == "en" {
			lang = "en"
		}
		visitor := kesher.VisitorID(g.rng.Int64N(1<<62) + 1)
		end := c.CreatedAt.Add(-g.between(2*time.Minute, 20*time.Minute))
		if err := g.visit(visitor, lang, end.Add(-g.between(time.Minute, 10*time.Minute)), 1+g.rng.IntN(3), 0.1); err != nil {
			return err
		}
		err := g.st.Write(g.ctx, func(tx kesher.Tx) error {
			return tx.RecordHelpEvent(g.ctx, &kesher.HelpEvent{Visitor: visitor, At: c.CreatedAt, Kind: kesher.HelpContact, Ref: c.ID})
		})
		if err != nil {
			return err
		}
	}
	// Visitors who found their answer, Hebrew three times as often.
	for range 100 {
		lang := "he"
		if g.chance(0.25) {
			lang = "en"
		}
		at := start.Add(g.between(0, helpDays*24*time.Hour-2*time.Hour))
		if err := g.visit(kesher.VisitorID(g.rng.Int64N(1<<62)+1), lang, at, 1+g.rng.IntN(3), 0.35); err != nil {
			return err
		}
	}
	g.clock.t = g.now
	return nil
}

// visit records one visitor reading n articles in lang from at, a few
// minutes apart, answering "did this help?" on the last with probability
// answer (mostly yes).
func (g *gen) visit(visitor kesher.VisitorID, lang string, at time.Time, n int, answer float64) error {
	var last string
	for i := 0; i < n; i++ {
		g.clock.t = at.Add(time.Duration(i) * g.between(time.Minute, 6*time.Minute))
		last = g.pickHelp(lang)
		if err := g.d.RecordHelpView(g.ctx, visitor, last); err != nil {
			return err
		}
	}
	if last != "" && g.chance(answer) {
		return g.d.HelpFeedback(g.ctx, visitor, last, g.chance(0.8))
	}
	return nil
}

// pickHelp chooses a public article in lang by how often visitors read it.
func (g *gen) pickHelp(lang string) string {
	total := 0
	for _, a := range g.help {
		if a.lang == lang {
			total += a.weight
		}
	}
	n := g.rng.IntN(total)
	for _, a := range g.help {
		if a.lang != lang {
			continue
		}
		if n -= a.weight; n < 0 {
			return a.id
		}
	}
	return ""
}
