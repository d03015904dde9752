package store

import (
	"context"
	"time"

	"kesher"
)

// The watchdog's lists and the agents' load. Each list of unsolved
// conversations is one range of a partial index of 00006_ownership.sql
// that holds that list alone, so a list costs what it returns however
// many conversations the desk has solved.

// unsolvedStatuses is the condition on the unsolved statuses, word for
// word as the partial indexes' predicates hold it: SQLite uses a partial
// index only for a query whose WHERE has every term of its predicate.
const unsolvedStatuses = "status IN ('open', 'pending', 'on_hold')"

// slaRisk is the predicate of conversations_sla_risk.
const slaRisk = "sla_state IN ('warning', 'breached') AND " + unsolvedStatuses

// watchList is how one of the watchdog's lists reads its partial index.
type watchList struct {
	// index is the partial index; SQLite is told to read it (indexedBy).
	index string
	// where is the index's predicate and the list's own condition.
	where string
	// key is the sort column; id breaks ties.
	key string
	// newestFirst reads the index backwards.
	newestFirst bool
}

// watchLists are the lists that read a partial index of their own; the
// unowned list reads the inbox's indexes instead (see Watch).
var watchLists = map[kesher.WatchKind]watchList{
	kesher.WatchWaiting:       {"conversations_waiting", "waiting_since > 0 AND status = 'open'", "waiting_since", false},
	kesher.WatchSLAAtRisk:     {"conversations_sla_risk", slaRisk + " AND sla_state = 'warning'", "sla_due_at", false},
	kesher.WatchSLABreached:   {"conversations_sla_risk", slaRisk + " AND sla_state = 'breached'", "sla_due_at", false},
	kesher.WatchHandoffs3Plus: {"conversations_handoffs", "handoff_count >= 3 AND " + unsolvedStatuses, "updated_at", true},
	kesher.WatchReopened:      {"conversations_reopened", "reopen_count > 0 AND " + unsolvedStatuses, "updated_at", true},
	kesher.WatchEscalated:     {"conversations_escalated", "escalated = 1 AND " + unsolvedStatuses, "updated_at", true},
}

// unowned is the unowned list as an inbox filter: one range of
// conversations_status_owner per unsolved status, as the inbox's
// "unassigned" tab reads it.
func unowned(p kesher.Page) kesher.ConversationFilter {
	return kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusOnHold},
		OwnerIDs: []string{kesher.NoOwner}, Page: p}
}

// watchListOf returns the list of kind; the commitment lists, which
// Commitments reads, and unknown kinds are ECodeValidation on "kind".
func watchListOf(kind kesher.WatchKind) (watchList, error) {
	l, ok := watchLists[kind]
	switch {
	case ok:
		return l, nil
	case kind.Valid():
		return l, kesher.FieldError("kind", "invalid", "the %s list is of commitments, not conversations", kind)
	}
	return l, kesher.FieldError("kind", "invalid", "%q is not a watchdog list", kind)
}

// Watch lists the conversations of one of the watchdog's lists.
func (q *queries) Watch(ctx context.Context, kind kesher.WatchKind, p kesher.Page) ([]*kesher.Conversation, string, error) {
	if kind == kesher.WatchUnowned {
		return q.Conversations(ctx, unowned(p))
	}
	l, err := watchListOf(kind)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(p)
	key, id, after, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	where, beyond, dir := l.where, " > ", ""
	if l.newestFirst {
		beyond, dir = " < ", " DESC"
	}
	if after {
		where += " AND (" + l.key + ", id)" + beyond + "(" + a.add(key) + ", " + a.add(id) + ")"
	}
	query := "SELECT " + conversationColumns + ", " + l.key + " FROM conversations" + q.d.indexedBy(l.index) + " WHERE " + where +
		" ORDER BY " + l.key + dir + ", id" + dir + " LIMIT " + a.add(limit+1)
	rows, more, err := list(ctx, q, "conversations", query, a, limit, scanKeyed)
	if err != nil {
		return nil, "", err
	}
	cs := make([]*kesher.Conversation, len(rows))
	for i, r := range rows {
		cs[i] = r.c
	}
	if !more {
		return cs, "", nil
	}
	last := rows[len(rows)-1]
	return cs, encodeCursor(last.key, last.c.ID), nil
}

// keyed is a conversation with the value of its list's sort column. The
// cursor must hold the stored value: sla_due_at is zero while a claimed
// timer's row waits to be saved, whatever the clocks say.
type keyed struct {
	c   *kesher.Conversation
	key int64
}

func scanKeyed(s scanner) (keyed, error) {
	var k keyed
	var err error
	k.c, err = scanConversation(withKey{s, &k.key})
	return k, err
}

// withKey scans one more column into key, after the ones asked for.
type withKey struct {
	s   scanner
	key *int64
}

func (w withKey) Scan(dest ...any) error { return w.s.Scan(append(dest, w.key)...) }

// CountWatch counts one of Watch's lists, up to max.
func (q *queries) CountWatch(ctx context.Context, kind kesher.WatchKind, max int) (int, error) {
	if kind == kesher.WatchUnowned {
		return q.CountConversations(ctx, unowned(kesher.Page{}), max)
	}
	l, err := watchListOf(kind)
	if err != nil {
		return 0, err
	}
	return q.countUpTo(ctx, "conversations", "SELECT 1 FROM conversations"+q.d.indexedBy(l.index)+" WHERE "+l.where, nil, max)
}

// OpenCounts counts the unsolved conversations each of userIDs owns: for
// each unsolved status and user, one range of conversations_status_owner.
func (q *queries) OpenCounts(ctx context.Context, userIDs []string) (map[string]int, error) {
	if len(userIDs) == 0 {
		return map[string]int{}, nil
	}
	var a args
	return q.countsBy(ctx, "open conversations", "SELECT owner_id, COUNT(*) FROM conversations WHERE "+unsolvedStatuses+
		" AND owner_id IN "+in(&a, unique(userIDs))+" GROUP BY owner_id", a)
}

// WorkSince counts, per user, the conversations they replied in since the
// given time (a range of messages_agent_replies) and the conversations they
// own now that were escalated since then (a range of escalations_created).
func (q *queries) WorkSince(ctx context.Context, since time.Time) (handled, hard map[string]int, err error) {
	a := args{micros(since)}
	handled, err = q.countsBy(ctx, "replies", "SELECT author_id, COUNT(DISTINCT conversation_id) FROM messages"+
		" WHERE direction = 'outbound' AND author_type = 'agent' AND created_at >= $1 GROUP BY author_id", a)
	if err != nil {
		return nil, nil, err
	}
	hard, err = q.countsBy(ctx, "escalations", "SELECT c.owner_id, COUNT(DISTINCT e.conversation_id) FROM escalations e"+
		" JOIN conversations c ON c.id = e.conversation_id WHERE e.created_at >= $1 AND c.owner_id IS NOT NULL GROUP BY c.owner_id", a)
	if err != nil {
		return nil, nil, err
	}
	return handled, hard, nil
}

// countsBy runs a query of (id, count) rows and returns the counts by id.
func (q *queries) countsBy(ctx context.Context, what, query string, a args) (map[string]int, error) {
	type idCount struct {
		id string
		n  int
	}
	rows, _, err := list(ctx, q, what, query, a, 0, func(s scanner) (idCount, error) {
		var r idCount
		return r, s.Scan(&r.id, &r.n)
	})
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		counts[r.id] = r.n
	}
	return counts, nil
}
