package store

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"kesher"
)

const conversationColumns = "id, number, subject, status, priority, channel, customer_id, owner_id, team_id, reason, tags," +
	" handoff_count, message_count, last_message_at, excerpt, created_at, updated_at, solved_at, waiting_since, sla, reopen_count, escalated"

// slaColumns are derived from the sla column on every write (slaValues) for
// the watchdog's lists and the timers to read through their indexes;
// nothing reads them back into a Conversation.
const slaColumns = "sla_state, sla_due_at"

func scanConversation(s scanner) (*kesher.Conversation, error) {
	var c kesher.Conversation
	var owner, team, reason *string
	var tags, sla string
	var lastMessage, created, updated, solved, waiting int64
	var escalated int
	err := s.Scan(&c.ID, &c.Number, &c.Subject, &c.Status, &c.Priority, &c.Channel, &c.CustomerID, &owner, &team, &reason, &tags,
		&c.HandoffCount, &c.MessageCount, &lastMessage, &c.Excerpt, &created, &updated, &solved, &waiting, &sla, &c.ReopenCount, &escalated)
	if err != nil {
		return nil, err
	}
	c.OwnerID, c.TeamID, c.Reason = deref(owner), deref(team), deref(reason)
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return nil, err
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if sla != "" {
		var err error
		if c.SLA, err = scanSLA(sla); err != nil {
			return nil, err
		}
	}
	c.LastMessageAt, c.CreatedAt, c.UpdatedAt, c.SolvedAt = fromMicros(lastMessage), fromMicros(created), fromMicros(updated), fromMicros(solved)
	c.WaitingSince, c.Escalated = fromMicros(waiting), escalated != 0
	return &c, nil
}

// storedSLA is how the sla column holds the clocks: times as unix
// microseconds and durations as nanoseconds, as the other columns hold
// them, without the summary that SLA.MarshalJSON adds for the API (it
// would be stale as soon as it is stored; slaColumns keep its parts).
// Through the types' own JSON, with RFC 3339 times, encoding the clocks
// took a tenth of intake's serial time in the group committer.
type storedSLA struct {
	PolicyID string        `json:"p"`
	Clocks   []storedClock `json:"c"`
}

// storedClock is one clock in the sla column. The keys are short and zero
// values left out because every open conversation's row holds its clocks,
// and the row's size is what intake writes and every list reads.
type storedClock struct {
	Metric       kesher.SLAMetric `json:"m"`
	Target       int64            `json:"t"`
	Business     bool             `json:"b,omitempty"`
	Spent        int64            `json:"sp,omitempty"`
	StartedAt    int64            `json:"st,omitempty"`
	RunningSince int64            `json:"r,omitempty"`
	WarnAt       int64            `json:"wa,omitempty"`
	DueAt        int64            `json:"d,omitempty"`
	WarnedAt     int64            `json:"w,omitempty"`
	BreachedAt   int64            `json:"br,omitempty"`
	StoppedAt    int64            `json:"so,omitempty"`
}

// slaValues returns the values of the sla column and of slaColumns for s:
// the clocks' JSON ("" without a policy), their state and when they next
// need attention (0 for never).
func slaValues(s *kesher.SLA) (clocks, state string, dueAt int64, err error) {
	if s == nil {
		return "", "", 0, nil
	}
	st := storedSLA{PolicyID: s.PolicyID, Clocks: make([]storedClock, len(s.Clocks))}
	for i, c := range s.Clocks {
		st.Clocks[i] = storedClock{
			Metric: c.Metric, Target: int64(c.Target), Business: c.Business, Spent: int64(c.Spent),
			StartedAt: micros(c.StartedAt), RunningSince: micros(c.RunningSince), WarnAt: micros(c.WarnAt), DueAt: micros(c.DueAt),
			WarnedAt: micros(c.WarnedAt), BreachedAt: micros(c.BreachedAt), StoppedAt: micros(c.StoppedAt),
		}
	}
	b, err := json.Marshal(st)
	return string(b), string(s.State()), micros(s.NextTimer()), err
}

// scanSLA reads what slaValues stored.
func scanSLA(stored string) (*kesher.SLA, error) {
	var st storedSLA
	if err := json.Unmarshal([]byte(stored), &st); err != nil {
		return nil, err
	}
	s := &kesher.SLA{PolicyID: st.PolicyID, Clocks: make([]kesher.SLAClock, len(st.Clocks))}
	for i, c := range st.Clocks {
		s.Clocks[i] = kesher.SLAClock{
			Metric: c.Metric, Target: time.Duration(c.Target), Business: c.Business, Spent: time.Duration(c.Spent),
			StartedAt: fromMicros(c.StartedAt), RunningSince: fromMicros(c.RunningSince), WarnAt: fromMicros(c.WarnAt), DueAt: fromMicros(c.DueAt),
			WarnedAt: fromMicros(c.WarnedAt), BreachedAt: fromMicros(c.BreachedAt), StoppedAt: fromMicros(c.StoppedAt),
		}
	}
	return s, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Conversation returns one conversation.
func (q *queries) Conversation(ctx context.Context, id string) (*kesher.Conversation, error) {
	c, err := scanConversation(q.q.QueryRowContext(ctx, "SELECT "+conversationColumns+" FROM conversations WHERE id = $1", id))
	return c, q.dbErr(err, "conversation "+id)
}

// Conversation reads a conversation inside a Write, for a change. On
// PostgreSQL it locks the row until the transaction ends, so that two
// nodes changing one conversation (a reply here, a timer firing there)
// take turns instead of the second overwriting the first; SQLite's single
// writer already takes turns. A deadlock this may cause between two nodes'
// group commits is broken by the database and its victim run again (Write).
func (t *tx) Conversation(ctx context.Context, id string) (*kesher.Conversation, error) {
	c, err := scanConversation(t.q.QueryRowContext(ctx, "SELECT "+conversationColumns+" FROM conversations WHERE id = $1"+t.d.forUpdate(), id))
	return c, t.dbErr(err, "conversation "+id)
}

// maxBranches bounds the scans of conversationScans; beyond it one scan
// with IN lists is cheaper than many small ones.
const maxBranches = 16

// Conversations lists conversations by last update, newest first. Each of
// conversationScans' range scans stops at its own LIMIT, and the outer
// ORDER BY merges the few rows they return.
func (q *queries) Conversations(ctx context.Context, f kesher.ConversationFilter) ([]*kesher.Conversation, string, error) {
	limit := pageLimit(f.Page)
	key, id, after, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	var extra []string
	if after {
		extra = append(extra, "(updated_at, id) < ("+a.add(key)+", "+a.add(id)+")")
	}
	scans := conversationScans(f, &a, extra...)
	order := " ORDER BY updated_at DESC, id DESC LIMIT " + a.add(limit+1)
	query := "SELECT " + conversationColumns + " FROM conversations c WHERE " + scans[0] + order
	if len(scans) > 1 {
		parts := make([]string, len(scans))
		for i, where := range scans {
			parts[i] = "SELECT * FROM (SELECT " + conversationColumns + " FROM conversations c WHERE " + where + order + ") AS b" + strconv.Itoa(i)
		}
		query = strings.Join(parts, " UNION ALL ") + order
	}
	cs, more, err := list(ctx, q, "conversations", query, a, limit, scanConversation)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		last := cs[len(cs)-1]
		next = encodeCursor(micros(last.UpdatedAt), last.ID)
	}
	return cs, next, nil
}

// CountConversations counts the conversations f selects, up to max.
func (q *queries) CountConversations(ctx context.Context, f kesher.ConversationFilter, max int) (int, error) {
	var a args
	scans := conversationScans(f, &a)
	for i, where := range scans {
		scans[i] = "SELECT 1 FROM conversations c WHERE " + where
	}
	return q.countUpTo(ctx, "conversations", strings.Join(scans, " UNION ALL "), a, max)
}

// conversationScans returns the WHERE clauses of the index range scans that
// together select f's conversations, each row in exactly one, adding their
// arguments to a; the extra conditions apply to every scan. f.Page is not
// read.
//
// Lists select several statuses or owners ("open, mine or unowned"), and
// neither database reads "status IN (…) AND (owner_id = ? OR owner_id IS
// NULL) ORDER BY updated_at DESC LIMIT 50" as a few index range scans: they
// scan one index in order and filter, or collect every match and sort.
// So there is one scan per status (all of them when the filter names none,
// as there are only five) and per owner, each of an index that starts with
// the scan's equality columns and is ordered by the sort key after them.
// Beyond maxBranches scans, it is one scan with IN lists.
func conversationScans(f kesher.ConversationFilter, a *args, extra ...string) []string {
	var common []string
	eq := func(column string, vals []string) {
		switch len(vals) {
		case 0:
		case 1:
			common = append(common, column+" = "+a.add(vals[0]))
		default:
			common = append(common, column+" IN "+in(a, vals))
		}
	}
	eq("team_id", f.TeamIDs)
	eq("channel", strs(f.Channels))
	eq("priority", strs(f.Priorities))
	eq("reason", f.Reasons)
	if f.CustomerID != "" {
		eq("customer_id", []string{f.CustomerID})
	}
	for _, tag := range f.Tags {
		common = append(common, "EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id AND t.tag = "+a.add(tag)+")")
	}
	if !f.UpdatedAfter.IsZero() {
		common = append(common, "updated_at > "+a.add(micros(f.UpdatedAfter)))
	}
	common = append(common, extra...)
	// Repeated values would make repeated scans, and repeated rows.
	statuses, owners := unique(strs(f.Statuses)), unique(f.OwnerIDs)
	if len(statuses) == 0 {
		statuses = strs(kesher.Statuses)
	}
	if len(statuses)*max(len(owners), 1) > maxBranches {
		eq("status", statuses)
		if len(owners) > 0 {
			ors := make([]string, len(owners))
			for i, o := range owners {
				ors[i] = ownerIs(a, o)
			}
			common = append(common, "("+strings.Join(ors, " OR ")+")")
		}
		return []string{strings.Join(common, " AND ")}
	}
	var scans []string
	for _, s := range statuses {
		for _, o := range orNone(owners) {
			where := append(slices.Clip(common), "status = "+a.add(s))
			if o != nil {
				where = append(where, ownerIs(a, *o))
			}
			scans = append(scans, strings.Join(where, " AND "))
		}
	}
	return scans
}

// unique returns the distinct values of vals.
func unique(vals []string) []string {
	vals = slices.Clone(vals)
	slices.Sort(vals)
	return slices.Compact(vals)
}

// ownerIs selects one owner, or no owner for kesher.NoOwner.
func ownerIs(a *args, owner string) string {
	if owner == kesher.NoOwner {
		return "owner_id IS NULL"
	}
	return "owner_id = " + a.add(owner)
}

// orNone returns pointers to vals, or a single nil (no condition) when vals
// is empty, so that branches can range over both dimensions alike.
func orNone(vals []string) []*string {
	if len(vals) == 0 {
		return []*string{nil}
	}
	ps := make([]*string, len(vals))
	for i := range vals {
		ps[i] = &vals[i]
	}
	return ps
}

func strs[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

// NextConversationNumber counts up the human ticket number. The counter row
// is locked until the transaction ends, so numbers are never shared.
func (t *tx) NextConversationNumber(ctx context.Context) (int64, error) {
	var n int64
	err := t.q.QueryRowContext(ctx, "UPDATE counters SET value = value + 1 WHERE name = 'conversation' RETURNING value").Scan(&n)
	return n, t.dbErr(err, "conversation counter")
}

// CreateConversation inserts c and its tags.
func (t *tx) CreateConversation(ctx context.Context, c *kesher.Conversation) error {
	tags, err := tagsJSON(c.Tags)
	if err != nil {
		return err
	}
	sla, slaState, slaDue, err := slaValues(c.SLA)
	if err != nil {
		return err
	}
	err = t.insert(ctx, "conversation "+c.ID, "INSERT INTO conversations ("+conversationColumns+", "+slaColumns+")"+
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
		args{c.ID, c.Number, c.Subject, string(c.Status), string(c.Priority), string(c.Channel), c.CustomerID,
			nullable(c.OwnerID), nullable(c.TeamID), nullable(c.Reason), tags, c.HandoffCount, c.MessageCount,
			micros(c.LastMessageAt), c.Excerpt, micros(c.CreatedAt), micros(c.UpdatedAt), micros(c.SolvedAt), micros(c.WaitingSince),
			sla, c.ReopenCount, boolInt(c.Escalated), slaState, slaDue})
	if err != nil {
		return err
	}
	return t.insertTags(ctx, c.ID, c.Tags)
}

// UpdateConversation saves every mutable field of c, and its tags when they
// changed: most updates (a new message, a status) leave them as they are,
// and rewriting conversation_tags costs two more statements.
func (t *tx) UpdateConversation(ctx context.Context, c *kesher.Conversation) error {
	tags, err := tagsJSON(c.Tags)
	if err != nil {
		return err
	}
	sla, slaState, slaDue, err := slaValues(c.SLA)
	if err != nil {
		return err
	}
	var oldTags string
	if err := t.q.QueryRowContext(ctx, "SELECT tags FROM conversations WHERE id = $1", c.ID).Scan(&oldTags); err != nil {
		return t.dbErr(err, "conversation "+c.ID)
	}
	_, err = t.q.ExecContext(ctx, "UPDATE conversations SET subject = $2, status = $3, priority = $4, channel = $5,"+
		" customer_id = $6, owner_id = $7, team_id = $8, reason = $9, tags = $10, handoff_count = $11, message_count = $12,"+
		" last_message_at = $13, excerpt = $14, updated_at = $15, solved_at = $16, waiting_since = $17,"+
		" sla = $18, reopen_count = $19, escalated = $20, sla_state = $21, sla_due_at = $22 WHERE id = $1",
		c.ID, c.Subject, string(c.Status), string(c.Priority), string(c.Channel), c.CustomerID,
		nullable(c.OwnerID), nullable(c.TeamID), nullable(c.Reason), tags, c.HandoffCount, c.MessageCount,
		micros(c.LastMessageAt), c.Excerpt, micros(c.UpdatedAt), micros(c.SolvedAt), micros(c.WaitingSince),
		sla, c.ReopenCount, boolInt(c.Escalated), slaState, slaDue)
	if err != nil || tags == oldTags {
		return t.dbErr(err, "conversation "+c.ID)
	}
	if _, err := t.q.ExecContext(ctx, "DELETE FROM conversation_tags WHERE conversation_id = $1", c.ID); err != nil {
		return err
	}
	return t.insertTags(ctx, c.ID, c.Tags)
}

// insertTags fills conversation_tags, the table tag filters read; the
// conversation's tags column is what lists return.
func (t *tx) insertTags(ctx context.Context, conversationID string, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	var a args
	values := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, tag := range tags {
		if seen[tag] {
			continue
		}
		seen[tag] = true
		values = append(values, "("+a.add(conversationID)+", "+a.add(tag)+")")
	}
	_, err := t.q.ExecContext(ctx, "INSERT INTO conversation_tags (conversation_id, tag) VALUES "+strings.Join(values, ", "), a...)
	return t.dbErr(err, "tags of conversation "+conversationID)
}

func tagsJSON(tags []string) (string, error) {
	if tags == nil {
		tags = []string{}
	}
	b, err := json.Marshal(tags)
	return string(b), err
}
