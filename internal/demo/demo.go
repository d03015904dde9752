// Package demo fills an empty Kesher database with a realistic bilingual
// (Hebrew-first) service desk of a mid-size Israeli online retailer: its
// team, contact reasons, customers and three months of conversations.
//
// The history is made through the desk's own methods, on a desk whose clock
// the generator moves through the past, so every conversation, message,
// hand-off and status change carries its historical time and its real actor
// (agents' replies are the agents', channel intake is the system's).
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// Summary tells what Fill made, for the CLI to print.
type Summary struct {
	AdminEmail    string
	AdminPassword string
	Users         int
	Teams         int
	Reasons       int
	Customers     int
	Conversations int
	Messages      int
	Handoffs      int
	Merges        int
	// Articles counts the knowledge base's articles, each language
	// version once.
	Articles int
}

// String is the summary as the CLI prints it.
func (s Summary) String() string {
	return fmt.Sprintf("demo desk ready: %d users, %d teams, %d reasons, %d customers (%d merged), %d conversations, %d messages, %d hand-offs, %d knowledge-base articles\nsign in as %s with password %s\n",
		s.Users, s.Teams, s.Reasons, s.Customers, s.Merges, s.Conversations, s.Messages, s.Handoffs, s.Articles, s.AdminEmail, s.AdminPassword)
}

// Sizes of the demo desk.
const (
	numCustomers     = 80
	numConversations = 360
	history          = 90 * 24 * time.Hour
)

// ilZone is Israel's standard time; business hours are laid out in it.
var ilZone = time.FixedZone("IST", 2*60*60)

// simClock is the generator's clock: it is set to the moment of each
// simulated action.
type simClock struct{ t time.Time }

func (c *simClock) Now() time.Time { return c.t }

// Fill makes the demo desk in st, an empty database, with history over the
// 90 days before now. The content depends only on seed; passwords come
// from crypto/rand. It refuses a database that has any user, and a ctx
// that carries a signed-in user (the demo is made by the system).
func Fill(ctx context.Context, st kesher.Store, now time.Time, seed int64) (Summary, error) {
	if kesher.ActorFrom(ctx) != nil {
		return Summary{}, fmt.Errorf("demo: Fill runs as the system, not as a signed-in user")
	}
	n, err := st.CountUsers(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return Summary{}, fmt.Errorf("demo: the database already has %d users; kesher demo fills only a new, empty database", n)
	}
	now = now.UTC().Truncate(time.Second)
	clk := &simClock{t: now.Add(-history - 30*24*time.Hour)}
	g := &gen{
		st:    st,
		ctx:   ctx,
		d:     desk.New(desk.Config{Store: st, Clock: clk, History: true}),
		clock: clk,
		rng:   mrand.New(mrand.NewPCG(uint64(seed), 0x6b65736865720001)),
		now:   now,
		used:  map[string]bool{},
		actx:  map[string]context.Context{},
	}
	if err := g.run(); err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	return g.sum, nil
}

// agent is a demo user with what the generator needs to know of them.
type agent struct {
	*kesher.User
	def staffMember
	ctx context.Context
}

// customer is a planned demo customer.
type customer struct {
	name, first, lang string
	female            bool
	email             string // as the customer types it, case and all
	phone, altPhone   string // as typed: 050-1234567, 03 555 1234, +44…
	telegram          string
	latin             string // for handles
	shopID            string
	vip, business     bool
	id                string // once created
	convs             int
}

// plan is one conversation to make.
type plan struct {
	at        time.Time
	cust      *customer
	lang      string
	channel   kesher.Channel
	reason    *reasonDef
	setReason bool
	status    kesher.Status
	priority  kesher.Priority
	owner     *agent // nil: unowned
	team      string
	tags      []string
	handoffs  int
	dup       bool // made as a separate customer by mistake, merged later
	dupID     string
	last      time.Time
}

type gen struct {
	st        kesher.Store
	ctx       context.Context
	d         *desk.Desk
	clock     *simClock
	rng       *mrand.Rand
	now       time.Time
	sum       Summary
	agents    []*agent
	teams     map[string]*kesher.Team
	customers []*customer
	used      map[string]bool
	actx      map[string]context.Context
	// help are the help centre's public articles, for its visitors.
	help []helpArticle
}

func (g *gen) run() error {
	if err := g.makeStaff(); err != nil {
		return err
	}
	if err := g.makeReasons(); err != nil {
		return err
	}
	if err := g.makeHelpCentre(); err != nil {
		return err
	}
	g.planCustomers()
	plans := g.planConversations()
	for _, p := range plans {
		if err := g.conversation(p); err != nil {
			return fmt.Errorf("conversation %q: %w", p.reason.code, err)
		}
	}
	if err := g.merge(plans); err != nil {
		return err
	}
	if err := g.helpActivity(); err != nil {
		return fmt.Errorf("help centre activity: %w", err)
	}
	ids := map[string]bool{}
	for _, c := range g.customers {
		if c.id != "" {
			ids[c.id] = true
		}
	}
	g.sum.Customers = len(ids)
	return nil
}

func (g *gen) makeStaff() error {
	g.sum.AdminPassword = password(20)
	for _, s := range staff {
		in := desk.NewUser{Email: s.latin + "@" + staffDomain, Name: s.name, Role: kesher.Role(s.role), Language: s.lang}
		if s.role == "admin" {
			in.Password = g.sum.AdminPassword
			g.sum.AdminEmail = in.Email
		}
		u, err := g.d.CreateUser(g.ctx, in)
		if err != nil {
			return fmt.Errorf("user %s: %w", in.Email, err)
		}
		av := kesher.Availability(s.avail)
		if u, err = g.d.UpdateUser(g.ctx, u.ID, desk.UserUpdate{Availability: &av}); err != nil {
			return err
		}
		a := &agent{User: u, def: s, ctx: kesher.WithActor(g.ctx, u)}
		g.agents = append(g.agents, a)
		g.actx[u.ID] = a.ctx
		g.sum.Users++
		g.clock.t = g.clock.t.Add(17 * time.Minute)
	}
	g.teams = map[string]*kesher.Team{}
	for _, td := range teamDefs {
		var members []string
		for _, a := range g.agents {
			if slices.Contains(a.def.teams, td.key) {
				members = append(members, a.ID)
			}
		}
		t, err := g.d.SaveTeam(g.ctx, "", desk.TeamInput{Name: td.name, MemberIDs: members})
		if err != nil {
			return fmt.Errorf("team %s: %w", td.name, err)
		}
		g.teams[td.key] = t
		g.sum.Teams++
	}
	return nil
}

func (g *gen) makeReasons() error {
	for _, r := range reasons {
		if _, err := g.d.SaveReason(g.ctx, true, desk.ReasonInput{Code: r.code, Name: r.name, Source: r.source}); err != nil {
			return fmt.Errorf("reason %s: %w", r.code, err)
		}
		g.sum.Reasons++
	}
	return nil
}

// password returns n random characters that are easy to type and read.
func password(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on supported platforms
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func pick[T any](r *mrand.Rand, s []T) T { return s[r.IntN(len(s))] }

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// between returns a duration uniformly in [lo, hi).
func (g *gen) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
}

func (g *gen) planCustomers() {
	for i := range numCustomers {
		c := &customer{shopID: fmt.Sprintf("%d", 100200+i*37)}
		var latinFirst, latinLast string
		if g.chance(0.7) {
			c.lang = "he"
			c.female = g.chance(0.55)
			first := pick(g.rng, heMale)
			if c.female {
				first = pick(g.rng, heFemale)
			}
			last := pick(g.rng, heLast)
			c.first, c.name = first.name, first.name+" "+last.name
			latinFirst, latinLast = first.latin, last.latin
		} else {
			c.lang = "en"
			c.first = pick(g.rng, enFirst)
			last := pick(g.rng, enLast)
			c.name = c.first + " " + last
			latinFirst, latinLast = strings.ToLower(c.first), strings.ToLower(last)
		}
		c.latin = latinFirst + "_" + latinLast[:1]
		if g.chance(0.9) {
			c.email = g.unique(func() string { return g.emailFor(latinFirst, latinLast) })
		}
		c.phone = g.unique(func() string { return g.phoneFor(c.lang) })
		if g.chance(0.15) {
			c.telegram = g.unique(func() string { return fmt.Sprintf("@%s%d", c.latin, g.rng.IntN(90)+10) })
		}
		c.vip = i%10 == 3
		c.business = i%16 == 7
		g.customers = append(g.customers, c)
	}
}

// unique calls make until it returns a value not used before.
func (g *gen) unique(make func() string) string {
	for {
		v := make()
		if k := strings.ToLower(v); !g.used[k] {
			g.used[k] = true
			return v
		}
	}
}

func (g *gen) emailFor(first, last string) string {
	var local string
	switch g.rng.IntN(5) {
	case 0:
		local = first + "." + last
	case 1:
		local = first + last + fmt.Sprint(g.rng.IntN(90)+10)
	case 2:
		local = first[:1] + last
	case 3:
		local = first + "_" + last + fmt.Sprint(1960+g.rng.IntN(45))
	default:
		local = last + "." + first
	}
	addr := local + "@" + pick(g.rng, emailDomains)
	if g.chance(0.2) { // people type their address as they like; the desk normalises it
		addr = strings.ToUpper(addr[:1]) + addr[1:]
		if i := strings.IndexAny(addr, "._"); i > 0 && i+1 < len(addr) {
			addr = addr[:i+1] + strings.ToUpper(addr[i+1:i+2]) + addr[i+2:]
		}
	}
	return addr
}

// phoneFor returns a phone number written the way customers write it.
func (g *gen) phoneFor(lang string) string {
	sub := fmt.Sprintf("%d%06d", g.rng.IntN(8)+2, g.rng.IntN(1000000))
	if lang == "en" && g.chance(0.25) {
		if g.chance(0.5) {
			return fmt.Sprintf("+44 7700 900%03d", g.rng.IntN(1000)) // Ofcom's range for drama
		}
		return fmt.Sprintf("+1 202-555-01%02d", g.rng.IntN(100)) // reserved for fiction
	}
	pre := pick(g.rng, mobilePrefixes)
	switch g.rng.IntN(5) {
	case 0:
		return pre + sub
	case 1:
		return pre + " " + sub[:3] + " " + sub[3:]
	case 2:
		return "+972-" + pre[1:] + "-" + sub
	default:
		return pre + "-" + sub
	}
}

func (g *gen) landline() string {
	return fmt.Sprintf("%s-%d%06d", pick(g.rng, areaCodes), g.rng.IntN(7)+3, g.rng.IntN(1000000))
}

// channelWeights: email, chat, phone and WhatsApp carry most contacts.
var channelWeights = []struct {
	ch kesher.Channel
	w  int
}{
	{kesher.ChannelEmail, 27}, {kesher.ChannelChat, 20}, {kesher.ChannelPhone, 18}, {kesher.ChannelWhatsApp, 19},
	{kesher.ChannelTelegram, 5}, {kesher.ChannelWeb, 7}, {kesher.ChannelAPI, 4},
}

func (g *gen) channel() kesher.Channel {
	n := g.rng.IntN(100)
	for _, cw := range channelWeights {
		if n < cw.w {
			return cw.ch
		}
		n -= cw.w
	}
	return kesher.ChannelEmail
}

func (g *gen) reason() *reasonDef {
	total := 0
	for _, r := range reasons {
		total += r.weight
	}
	n := g.rng.IntN(total)
	for i := range reasons {
		if n < reasons[i].weight {
			return &reasons[i]
		}
		n -= reasons[i].weight
	}
	return &reasons[len(reasons)-1]
}

// when returns a plausible contact time age before now: mostly Israeli
// business hours, fewer on Friday afternoon and Saturday.
func (g *gen) when(age time.Duration) time.Time {
	day := g.now.Add(-age).In(ilZone)
	switch day.Weekday() {
	case time.Saturday:
		if g.chance(0.7) {
			day = day.Add(-24 * time.Hour)
		}
	case time.Friday:
		if g.chance(0.3) {
			day = day.Add(-24 * time.Hour)
		}
	}
	hour := 8 + g.rng.IntN(11)
	if g.chance(0.15) {
		hour = 19 + g.rng.IntN(5)
	}
	if day.Weekday() == time.Friday && hour > 13 {
		hour = 8 + g.rng.IntN(6)
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), hour, g.rng.IntN(60), g.rng.IntN(60), 0, ilZone).UTC()
	if max := g.now.Add(-5 * time.Minute); t.After(max) {
		t = max.Add(-g.between(0, 3*time.Hour))
	}
	if min := g.now.Add(-history + time.Hour); t.Before(min) {
		t = min.Add(g.between(0, 6*time.Hour))
	}
	return t
}

func (g *gen) planConversations() []*plan {
	plans := make([]*plan, 0, numConversations)
	byLang := map[string][]*customer{}
	for _, c := range g.customers {
		byLang[c.lang] = append(byLang[c.lang], c)
	}
	for i := range numConversations {
		p := &plan{reason: g.reason(), channel: g.channel()}
		lang := "he"
		if g.chance(0.35) {
			lang = "en"
		}
		pool := byLang[lang]
		if len(pool) == 0 {
			pool = g.customers
		}
		switch {
		case i < len(g.customers):
			p.cust = g.customers[i]
		case g.chance(0.3): // some customers contact us again and again
			p.cust = pick(g.rng, pool[:max(len(pool)/5, 1)])
		default:
			p.cust = pick(g.rng, pool)
		}
		if i < len(kesher.Channels) {
			p.channel = kesher.Channels[i]
		}
		c := p.cust
		p.lang = c.lang
		switch {
		case p.channel == kesher.ChannelTelegram && c.telegram == "":
			c.telegram = g.unique(func() string { return fmt.Sprintf("%s%d", c.latin, g.rng.IntN(900)+100) })
		case (p.channel == kesher.ChannelEmail || p.channel == kesher.ChannelWeb) && c.email == "":
			p.channel = kesher.ChannelWhatsApp
		}
		// The winter campaign's broken coupons crowd one week; a courier's
		// trouble makes the last two weeks heavy with late deliveries (P9).
		age := g.between(0, history)
		switch {
		case p.reason.code == "coupon_not_working" && g.chance(0.75):
			age = g.between(18*24*time.Hour, 26*24*time.Hour)
		case p.reason.code == "late_delivery" && g.chance(0.45):
			age = g.between(0, 12*24*time.Hour)
		case g.chance(0.12):
			age = g.between(0, 3*24*time.Hour)
		}
		p.at = g.when(age)
		plans = append(plans, p)
	}
	slices.SortStableFunc(plans, func(a, b *plan) int { return a.at.Compare(b.at) })
	for _, p := range plans {
		g.shape(p)
	}
	g.planHandoffs(plans)
	g.planDuplicates(plans)
	return plans
}

// shape decides a conversation's status, owner, team, priority and tags.
func (g *gen) shape(p *plan) {
	age := g.now.Sub(p.at)
	type sw struct {
		s kesher.Status
		w int
	}
	var weights []sw
	switch {
	case age < 6*time.Hour:
		weights = []sw{{kesher.StatusOpen, 60}, {kesher.StatusPending, 15}, {kesher.StatusOnHold, 5}, {kesher.StatusSolved, 20}}
	case age < 3*24*time.Hour:
		weights = []sw{{kesher.StatusOpen, 35}, {kesher.StatusPending, 25}, {kesher.StatusOnHold, 12}, {kesher.StatusSolved, 28}}
	case age < 14*24*time.Hour:
		weights = []sw{{kesher.StatusOpen, 10}, {kesher.StatusPending, 15}, {kesher.StatusOnHold, 8}, {kesher.StatusSolved, 50}, {kesher.StatusClosed, 17}}
	default:
		weights = []sw{{kesher.StatusOpen, 1}, {kesher.StatusPending, 2}, {kesher.StatusOnHold, 2}, {kesher.StatusSolved, 12}, {kesher.StatusClosed, 83}}
	}
	n := g.rng.IntN(100)
	for _, w := range weights {
		if n < w.w {
			p.status = w.s
			break
		}
		n -= w.w
	}
	if p.status == "" {
		p.status = kesher.StatusClosed
	}
	p.team = p.reason.team
	if p.cust.vip {
		p.team = "vip"
	}
	unowned := p.status == kesher.StatusOpen && g.chance(map[bool]float64{true: 0.6, false: 0.35}[age < 6*time.Hour])
	if !unowned {
		p.owner = g.ownerFor(p.team, p.lang, p.reason.code == "rude_service")
	}
	p.setReason = g.chance(0.93)
	if unowned {
		p.setReason = g.chance(0.2)
	}
	prios := []int{12, 60, 20, 8}
	if p.reason.urgent {
		prios = []int{0, 35, 40, 25}
	}
	n = g.rng.IntN(100)
	for i, w := range prios {
		if n < w {
			p.priority = kesher.Priorities[i]
			break
		}
		n -= w
	}
	if p.cust.vip && p.priority != kesher.PriorityUrgent && g.chance(0.5) {
		p.priority = kesher.Priorities[slices.Index(kesher.Priorities, p.priority)+1]
	}
	if p.cust.vip {
		p.tags = append(p.tags, tagVIP)
	}
	if p.cust.business {
		p.tags = append(p.tags, tagB2B)
	}
	if p.cust.convs > 0 && g.chance(0.6) {
		p.tags = append(p.tags, tagRepeat)
	}
	p.cust.convs++
	switch p.reason.code {
	case "coupon_not_working":
		p.tags = append(p.tags, tagCampain)
	case "late_delivery":
		if p.priority == kesher.PriorityHigh || p.priority == kesher.PriorityUrgent {
			p.tags = append(p.tags, tagExpress)
		}
	case "double_charge", "return_policy", "price_mismatch_website_store":
		if p.status == kesher.StatusSolved || p.status == kesher.StatusClosed {
			p.tags = append(p.tags, tagRefund)
		}
	}
}

// ownerFor picks an owner from a team, preferring one who speaks the
// conversation's language; complaints about service go to a lead (P13).
func (g *gen) ownerFor(team, lang string, lead bool) *agent {
	var pool, speakers []*agent
	for _, a := range g.agents {
		if a.Role == kesher.RoleAdmin || !slices.Contains(a.def.teams, team) {
			continue
		}
		if lead && a.Role != kesher.RoleLead {
			continue
		}
		pool = append(pool, a)
		if a.def.lang == lang {
			speakers = append(speakers, a)
		}
	}
	if len(pool) == 0 {
		return g.ownerFor("service", lang, false)
	}
	if len(speakers) > 0 && (lang == "en" && g.chance(0.7) || lang == "he" && g.chance(0.9)) {
		return pick(g.rng, speakers)
	}
	return pick(g.rng, pool)
}

// planHandoffs gives a few conversations warm hand-offs: many one, a couple
// two, and one unlucky customer four (P2 warns about such).
func (g *gen) planHandoffs(plans []*plan) {
	var cands []*plan
	for _, p := range plans {
		if p.owner != nil && g.now.Sub(p.at) > 24*time.Hour {
			cands = append(cands, p)
		}
	}
	g.rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for i, p := range cands {
		switch {
		case i == 0:
			p.handoffs = 4
			p.priority = kesher.PriorityHigh
		case i < 3:
			p.handoffs = 2
		case i < 28:
			p.handoffs = 1
		}
	}
}

// planDuplicates makes three customers call once from another number, so
// the desk creates a second customer that an agent later merges (P1).
func (g *gen) planDuplicates(plans []*plan) {
	seen := map[*customer]bool{}
	dups := 0
	for _, p := range plans {
		if dups == 3 {
			return
		}
		c := p.cust
		if seen[c] && c.altPhone == "" && p.owner != nil && p.handoffs == 0 && g.now.Sub(p.at) > 5*24*time.Hour {
			c.altPhone = g.unique(g.landline)
			p.dup, p.channel = true, kesher.ChannelPhone
			dups++
		}
		seen[c] = true
	}
}
