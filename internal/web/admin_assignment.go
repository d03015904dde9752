package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kesher"
)

// Assignment rules route new conversations to a team and pick the owner
// among its available agents, round robin or the least loaded. Rules are
// tried by position; an empty condition matches anything.

// strategies are offered in this order.
var strategies = []kesher.Strategy{kesher.RoundRobin, kesher.LeastLoaded}

// ruleForm is an assignment rule as its form shows it.
type ruleForm struct {
	ID, Name, Position, TeamID, Strategy     string
	Channels, Reasons, Languages, Priorities []string
	Active                                   bool
}

var newRuleForm = ruleForm{Position: "0", Strategy: string(kesher.LeastLoaded), Active: true}

func formOfRule(r *kesher.AssignmentRule) ruleForm {
	return ruleForm{ID: r.ID, Name: r.Name, Position: strconv.Itoa(r.Position), TeamID: r.TeamID, Strategy: string(r.Strategy),
		Channels: strs(r.Channels), Reasons: r.Reasons, Languages: r.Languages, Priorities: strs(r.Priorities), Active: r.Active}
}

func postedRuleForm(id string, v url.Values) ruleForm {
	return ruleForm{ID: id, Name: v.Get("name"), Position: v.Get("position"), TeamID: v.Get("team_id"), Strategy: v.Get("strategy"),
		Channels: v["channels"], Reasons: v["reasons"], Languages: v["languages"], Priorities: v["priorities"], Active: v.Get("active") != ""}
}

func strs[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

func typedAs[T ~string](vals []string) []T {
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = T(v)
	}
	return out
}

// saveAssignmentRule creates a rule (POST /admin/assignment) or replaces
// one. The form has no mailbox conditions, so an edit keeps the stored
// ones.
func (w *Web) saveAssignmentRule(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	v := r.PostForm
	in := kesher.AssignmentRule{Name: v.Get("name"), TeamID: v.Get("team_id"), Strategy: kesher.Strategy(v.Get("strategy")),
		Channels: typedAs[kesher.Channel](v["channels"]), Reasons: v["reasons"], Languages: v["languages"],
		Priorities: typedAs[kesher.Priority](v["priorities"]), Active: v.Get("active") != ""}
	var err error
	if pos := strings.TrimSpace(v.Get("position")); pos != "" {
		if in.Position, err = strconv.Atoi(pos); err != nil {
			err = kesher.FieldError("position", "invalid", "%q is not a whole number", pos)
		}
	}
	if err == nil && id != "" {
		var stored *kesher.AssignmentRule
		if stored, err = w.desk.AssignmentRule(r.Context(), id); err != nil {
			return err
		}
		in.MailboxIDs = stored.MailboxIDs
	}
	if err == nil {
		_, err = w.desk.SaveAssignmentRule(r.Context(), id, in)
	}
	return w.afterAdminChange(rw, r, p, "assignment", id, err)
}

func (w *Web) deleteAssignmentRule(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	return w.afterAdminChange(rw, r, p, "assignment", id, w.desk.DeleteAssignmentRule(r.Context(), id))
}

// ruleForms reads every rule as its form, the refused one as posted.
func (w *Web) ruleForms(ctx context.Context, refused adminForm) ([]ruleForm, error) {
	list, err := w.desk.AssignmentRules(ctx)
	if err != nil {
		return nil, err
	}
	forms := make([]ruleForm, 0, len(list))
	for _, rule := range list {
		if refused.Refused(rule.ID) {
			forms = append(forms, postedRuleForm(rule.ID, refused.Values))
			continue
		}
		forms = append(forms, formOfRule(rule))
	}
	return forms, nil
}
