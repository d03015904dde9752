package demo

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// step is one action of a conversation's story, after a delay.
type step struct {
	after time.Duration
	run   func() error
	work  bool // done by an agent, so in working hours
}

// conversation makes one planned conversation and its story: intake, the
// agent's replies, the customer's answers, notes, hand-offs and status.
func (g *gen) conversation(p *plan) error {
	c, r := p.cust, p.reason
	fill := g.filler(p)
	firsts, solves := r.en, r.solveEn
	if p.lang == "he" {
		firsts, solves = r.he, r.solveHe
	}
	ti := g.rng.IntN(len(firsts))
	first, solve := firsts[ti], solves[ti%len(solves)]
	ref := desk.CustomerRef{Name: c.name, Language: c.lang}
	if c.id != "" && !p.dup {
		ref.ID = c.id
	}
	switch p.channel {
	case kesher.ChannelEmail, kesher.ChannelWeb:
		ref.Email = c.email
	case kesher.ChannelChat:
		if c.email != "" {
			ref.Email = c.email
		} else {
			ref.Phone = c.phone
		}
	case kesher.ChannelPhone:
		ref.Phone = c.phone
		if p.dup {
			ref.Phone = c.altPhone
		}
	case kesher.ChannelWhatsApp:
		ref.WhatsApp = c.phone
	case kesher.ChannelTelegram:
		ref.Telegram = c.telegram
	case kesher.ChannelAPI:
		ref.ExternalID, ref.Email = "noga-shop:"+c.shopID, c.email
	}
	var intakeTags []string
	for _, t := range p.tags {
		if t != tagRefund {
			intakeTags = append(intakeTags, t)
		}
	}
	in := desk.NewConversation{
		Customer: ref, Subject: fill(first.subject, c.female, c.female), Channel: p.channel, Priority: p.priority,
		Tags: intakeTags, Message: desk.NewMessage{BodyText: fill(first.body, c.female, c.female)},
	}
	if g.chance(0.75) { // routing rules put most contacts in a team's queue
		in.TeamID = g.teams[p.team].ID
	}
	if p.setReason && (p.channel == kesher.ChannelWeb || p.channel == kesher.ChannelAPI) {
		in.Reason = r.code // the customer chose a topic on the form
	}
	ctx := g.ctx
	if p.channel == kesher.ChannelPhone && p.owner != nil {
		// The agent who answered the call opens it, as its owner.
		ctx, in.OwnerID = p.owner.ctx, p.owner.ID
		if p.setReason {
			in.Reason = r.code
		}
	}
	g.clock.t = p.at
	conv, _, err := g.d.CreateConversation(ctx, in)
	if err != nil {
		return err
	}
	g.sum.Conversations++
	g.sum.Messages++
	if p.dup {
		p.dupID = conv.CustomerID
	} else if c.id == "" {
		c.id = conv.CustomerID
	}
	teamSet, reasonSet := in.TeamID != "", in.Reason != ""

	var steps []step
	add := func(after time.Duration, run func() error) { steps = append(steps, step{after: after, run: run}) }
	addWork := func(after time.Duration, run func() error) { steps = append(steps, step{after, run, true}) }
	message := func(actx ctxAgent, dir kesher.Direction, ch kesher.Channel, body string) func() error {
		return func() error {
			_, err := g.d.AddMessage(actx.ctx(g), conv.ID, desk.NewMessage{Direction: dir, Channel: ch, BodyText: body})
			if err == nil {
				g.sum.Messages++
			}
			return err
		}
	}
	customerSays := func(texts []string) func() error {
		ch := p.channel
		if ch == kesher.ChannelEmail && g.chance(0.1) {
			ch = kesher.ChannelWhatsApp // P1: the same story continues on another channel
		}
		return message(ctxAgent{}, kesher.Inbound, ch, fill(pick(g.rng, texts), c.female, c.female))
	}
	he := p.lang == "he"
	choose := func(heTexts, enTexts []string) []string {
		if he {
			return heTexts
		}
		return enTexts
	}
	gap := func() time.Duration { return g.gap(p.channel) }

	if p.owner == nil {
		// Still in the queue: at most a lead triaged it, and the customer
		// may have asked again.
		if (p.setReason && !reasonSet) || !teamSet {
			lead := g.leadFor(p.lang)
			up := kesher.ConversationUpdate{TeamID: ptr(g.teams[p.team].ID)}
			if p.setReason {
				up.Reason = ptr(r.code)
			}
			addWork(g.between(10*time.Minute, 3*time.Hour), func() error {
				_, err := g.d.UpdateConversation(lead.ctx, conv.ID, up)
				return err
			})
		}
		if g.chance(0.4) {
			add(g.between(time.Hour, 20*time.Hour), customerSays(choose(custHe[2:3], custEn[2:3])))
		}
		return g.play(p, steps, nil)
	}

	cur := p.owner
	agentSays := func(a *agent, texts []string) func() error {
		return message(ctxAgent{a}, kesher.Outbound, "", fill(pick(g.rng, texts), a.def.female, c.female))
	}
	noteBy := func(a *agent, heTexts, enTexts []string) func() error {
		texts := heTexts
		if a.def.lang == "en" {
			texts = enTexts
		}
		return message(ctxAgent{a}, kesher.Note, "", fill(pick(g.rng, texts), c.female, c.female))
	}
	handoffs := func() {
		used := map[int]bool{}
		for range p.handoffs {
			next := g.handoffTarget(p, cur)
			from, briefs := cur, briefingsHe
			if from.def.lang == "en" {
				briefs = briefingsEn
			}
			i := g.rng.IntN(len(briefs))
			for used[i] && len(used) < len(briefs) {
				i = (i + 1) % len(briefs)
			}
			used[i] = true
			up := kesher.ConversationUpdate{OwnerID: ptr(next.ID), TeamID: ptr(g.teams[g.teamOf(next, p.team)].ID), Briefing: fill(briefs[i], c.female, c.female)}
			actor := from
			if g.chance(0.3) {
				actor = g.leadFor(p.lang) // a lead reassigns it
			}
			addWork(gap(), func() error {
				_, err := g.d.UpdateConversation(actor.ctx, conv.ID, up)
				if err == nil {
					g.sum.Handoffs++
				}
				return err
			})
			cur, teamSet = next, true
		}
	}
	resp := g.firstResponse(p.channel)
	switch p.status {
	case kesher.StatusSolved, kesher.StatusClosed:
		if p.handoffs == 0 && g.chance(0.35) {
			addWork(resp, agentSays(cur, []string{solve})) // solved in one touch
		} else {
			addWork(resp, agentSays(cur, choose(askHe, askEn)))
			if g.chance(0.7) {
				add(gap(), customerSays(choose(custHe, custEn)))
			}
			if g.chance(0.4) {
				addWork(g.between(2*time.Minute, time.Hour), noteBy(cur, notesHe, notesEn))
			}
			handoffs()
			addWork(gap(), agentSays(cur, []string{solve}))
		}
		if g.chance(0.45) {
			add(gap(), customerSays(choose(thanksHe, thanksEn)))
		}
	case kesher.StatusPending:
		addWork(resp, agentSays(cur, choose(askHe, askEn)))
		if g.chance(0.5) {
			add(gap(), customerSays(choose(custHe, custEn)))
		}
		handoffs()
		addWork(gap(), agentSays(cur, choose(pendingHe, pendingEn)))
	case kesher.StatusOnHold:
		addWork(resp, agentSays(cur, choose(askHe, askEn)))
		if g.chance(0.5) {
			add(gap(), customerSays(choose(custHe, custEn)))
		}
		handoffs()
		i := map[string]int{"delivery": 0, "billing": 2}[r.team]
		if r.team != "delivery" && r.team != "billing" {
			i = 1
		}
		addWork(g.between(5*time.Minute, 2*time.Hour), noteBy(cur, holdHe[i:i+1], holdEn[i:i+1]))
	default: // open, owned: the agent answered, the customer wrote back
		addWork(resp, agentSays(cur, choose(askHe, askEn)))
		handoffs()
		if g.chance(0.6) {
			add(gap(), customerSays(choose(custHe, custEn)))
		}
	}
	final := kesher.ConversationUpdate{}
	changed := false
	if p.status != kesher.StatusOpen {
		s := p.status
		if s == kesher.StatusClosed {
			s = kesher.StatusSolved // closed after a quiet period, below
		}
		final.Status, changed = &s, true
	}
	if p.setReason && !reasonSet {
		final.Reason, changed = ptr(r.code), true
	}
	if !teamSet {
		final.TeamID, changed = ptr(g.teams[p.team].ID), true
	}
	if len(p.tags) != len(intakeTags) {
		final.Tags, changed = ptr(p.tags), true
	}
	if changed {
		owner := cur
		add(g.between(time.Minute, 20*time.Minute), func() error {
			if final.Status != nil {
				if err := g.settleEscalation(conv.ID, p.lang); err != nil {
					return err
				}
			}
			_, err := g.d.UpdateConversation(owner.ctx, conv.ID, final)
			return err
		})
	}
	var closing func() error
	if p.status == kesher.StatusClosed {
		closing = func() error { // the system closes solved conversations after four quiet days
			_, err := g.d.UpdateConversation(g.ctx, conv.ID, kesher.ConversationUpdate{Status: ptr(kesher.StatusClosed)})
			return err
		}
	}
	return g.play(p, steps, closing)
}

// play runs steps at their times, squeezed to fit before now, then closing
// four days later when that is still in the past.
func (g *gen) play(p *plan, steps []step, closing func() error) error {
	var total time.Duration
	for _, s := range steps {
		total += s.after
	}
	scale := 1.0
	if room := g.now.Add(-2*time.Minute).Sub(p.at) - time.Duration(len(steps))*time.Second; total > room {
		scale = max(float64(room), 0) / float64(total)
	}
	t := p.at
	for i, s := range steps {
		t = t.Add(max(time.Duration(float64(s.after)*scale), time.Second))
		// Leave a second for each later step, all before now.
		limit := g.now.Add(-time.Minute - time.Duration(len(steps)-i)*time.Second)
		if s.work && scale == 1 {
			if w := g.workingTime(t); w.Before(limit) {
				t = w
			}
		}
		if t.After(limit) {
			t = limit
		}
		g.clock.t = t
		if err := s.run(); err != nil {
			return err
		}
	}
	p.last = t
	if closing != nil {
		if at := t.Add(g.between(96*time.Hour, 120*time.Hour)); at.Before(g.now) {
			g.clock.t = at
			return closing()
		}
	}
	return nil
}

// ctxAgent is who acts: an agent, or the system (channels) when empty.
type ctxAgent struct{ a *agent }

func (c ctxAgent) ctx(g *gen) context.Context {
	if c.a == nil {
		return g.ctx
	}
	return c.a.ctx
}

func ptr[T any](v T) *T { return &v }

// workingTime returns t, or the start of the next Israeli working hours
// (Sunday to Thursday 8–20, Friday 8–14) when t is outside them.
func (g *gen) workingTime(t time.Time) time.Time {
	l := t.In(ilZone)
	end := 20
	if l.Weekday() == time.Friday {
		end = 14
	}
	if l.Weekday() != time.Saturday && l.Hour() >= 8 && l.Hour() < end {
		return t
	}
	if l.Hour() >= 8 || l.Weekday() == time.Saturday {
		l = l.AddDate(0, 0, 1)
	}
	for l.Weekday() == time.Saturday {
		l = l.AddDate(0, 0, 1)
	}
	start := time.Date(l.Year(), l.Month(), l.Day(), 8, 0, 0, 0, ilZone)
	return start.Add(g.between(0, 75*time.Minute)).UTC()
}

// firstResponse is how long the first human answer takes on a channel.
func (g *gen) firstResponse(ch kesher.Channel) time.Duration {
	switch ch {
	case kesher.ChannelPhone:
		return g.between(2*time.Minute, 8*time.Minute)
	case kesher.ChannelChat:
		return g.between(30*time.Second, 6*time.Minute)
	case kesher.ChannelWhatsApp, kesher.ChannelTelegram:
		return g.between(4*time.Minute, 90*time.Minute)
	}
	return g.between(40*time.Minute, 9*time.Hour)
}

// gap is the time between later turns of a conversation on a channel.
func (g *gen) gap(ch kesher.Channel) time.Duration {
	switch ch {
	case kesher.ChannelChat:
		return g.between(time.Minute, 12*time.Minute)
	case kesher.ChannelWhatsApp, kesher.ChannelTelegram:
		return g.between(10*time.Minute, 8*time.Hour)
	}
	return g.between(2*time.Hour, 30*time.Hour)
}

// settleEscalation has a lead resolve the conversation's escalation, if
// the customer asked for a manager on the way: it must be resolved before
// the conversation is solved.
func (g *gen) settleEscalation(id, lang string) error {
	c, err := g.d.Conversation(g.ctx, id)
	if err != nil || !c.Escalated {
		return err
	}
	note := "ראש הצוות התקשר ללקוח, התנצל וסגר את העניין."
	if lang == "en" {
		note = "The team lead called the customer, apologised and settled it."
	}
	_, err = g.d.ResolveEscalation(g.leadFor(lang).ctx, id, note)
	return err
}

// leadFor returns the lead who speaks lang.
func (g *gen) leadFor(lang string) *agent {
	var any *agent
	for _, a := range g.agents {
		if a.Role == kesher.RoleLead {
			if a.def.lang == lang {
				return a
			}
			any = a
		}
	}
	return any
}

// handoffTarget picks the next owner: someone in another team that can
// help (billing, delivery), or a lead, never the current owner.
func (g *gen) handoffTarget(p *plan, cur *agent) *agent {
	teams := []string{"billing", "delivery", "service", "vip"}
	for range 20 {
		t := pick(g.rng, teams)
		if a := g.ownerFor(t, p.lang, g.chance(0.2)); a != cur {
			return a
		}
	}
	for _, a := range g.agents {
		if a != cur && a.Role != kesher.RoleAdmin {
			return a
		}
	}
	return cur
}

// teamOf is the team a new owner works the conversation in.
func (g *gen) teamOf(a *agent, want string) string {
	for _, t := range a.def.teams {
		if t == want {
			return t
		}
	}
	return a.def.teams[0]
}

// merge joins the duplicate customers made by calls from a second number
// into the customers they are, as the agent who noticed it (P1).
func (g *gen) merge(plans []*plan) error {
	for _, p := range plans {
		if !p.dup {
			continue
		}
		at := p.last.Add(g.between(2*time.Hour, 30*time.Hour))
		if lim := g.now.Add(-time.Minute); at.After(lim) {
			at = lim
		}
		g.clock.t = at
		if _, err := g.d.MergeCustomers(p.owner.ctx, p.dupID, p.cust.id); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		g.sum.Merges++
	}
	return nil
}

// filler returns a function that fills a text's placeholders with this
// conversation's details and makes its Hebrew agree in gender: speaker is
// the writer's (or, in notes, the customer's) gender, addressee the
// customer's.
func (g *gen) filler(p *plan) func(s string, speaker, addressee bool) string {
	he := p.lang == "he"
	ordered := p.at.Add(-g.between(2*24*time.Hour, 16*24*time.Hour))
	due := p.at.In(ilZone).AddDate(0, 0, 1+g.rng.IntN(3))
	for he && (due.Weekday() == time.Friday || due.Weekday() == time.Saturday) {
		due = due.AddDate(0, 0, 1)
	}
	prices := []int{89, 149, 249, 389, 499, 749, 899, 1290, 1890, 2490, 3490, 4990}
	v := []string{
		"{order}", fmt.Sprint(40000 + g.rng.IntN(50000)),
		"{amount}", fmt.Sprint(pick(g.rng, prices)),
		"{days}", fmt.Sprint(int(p.at.Sub(ordered).Hours() / 24)),
		"{coupon}", pick(g.rng, coupons),
		"{pct}", fmt.Sprint(10 + 5*g.rng.IntN(5)),
		"{first}", p.cust.first,
		"{invoice}", fmt.Sprint(1000000 + g.rng.IntN(9000000)),
	}
	if he {
		v = append(v, "{product}", pick(g.rng, productsHe), "{city}", pick(g.rng, citiesHe),
			"{date}", ordered.In(ilZone).Format("2/1"), "{due}", "ביום "+weekdaysHe[due.Weekday()])
	} else {
		v = append(v, "{product}", pick(g.rng, productsEn), "{city}", pick(g.rng, citiesEn),
			"{date}", ordered.In(ilZone).Format("2 Jan"), "{due}", "on "+due.Weekday().String())
	}
	rep := strings.NewReplacer(v...)
	return func(s string, speaker, addressee bool) string {
		s = rep.Replace(s)
		if !strings.Contains(s, "/") && !strings.Contains(s, "אלייך") {
			return s
		}
		s = genderSlash.ReplaceAllStringFunc(s, func(m string) string {
			a, b, _ := strings.Cut(m, "/")
			female := speaker
			if b == "י" { // second person: the customer
				female = addressee
			}
			if !female {
				return a
			}
			switch {
			case b == "תה" && strings.HasSuffix(a, "ה"):
				return strings.TrimSuffix(a, "ה") + b // פנה → פנתה
			case b == "ה" && strings.HasSuffix(a, "נו"):
				return strings.TrimSuffix(a, "נו") + "נה" // ממנו → ממנה
			}
			return unfinal(a) + b // צריך → צריכה
		})
		if !addressee {
			s = strings.ReplaceAll(s, "אלייך", "אליך")
		}
		return s
	}
}

// genderSlash matches a Hebrew word written for both genders: צריך/ה.
var genderSlash = regexp.MustCompile(`\p{Hebrew}+/\p{Hebrew}+`)

// unfinal turns a word's final letter into its medial form before a suffix.
func unfinal(w string) string {
	r := []rune(w)
	if n := len(r); n > 0 {
		if i := strings.IndexRune("ךםןףץ", r[n-1]); i >= 0 {
			r[n-1] = []rune("כמנפצ")[i/len("ך")]
		}
	}
	return string(r)
}
