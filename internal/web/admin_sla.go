package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"kesher"
)

// SLA policies hold the targets of each team's conversations (P3): per
// channel and priority, the time allowed for the first response, each
// next response and the resolution, in business hours or around the
// clock. The form edits the targets as a table, one row per target, with
// blank rows to add more; a row whose three times are empty is left out.

// policyForm is an SLA policy as its form shows it.
type policyForm struct {
	ID, Name, TeamID string
	// WarnPercent is the share of a target after which a clock warns, in
	// percent; empty for the desk's default.
	WarnPercent string
	Targets     []targetForm
}

// targetForm is one row of the targets table. The times are counts of
// Unit, "minutes" or "seconds"; an empty time is no target for that clock.
type targetForm struct {
	Channel, Priority, First, Next, Resolution, Unit string
	Business                                         bool
}

// blankTargets are the empty rows a policy's form offers for new targets.
const blankTargets = 2

var blankTarget = targetForm{Unit: "minutes", Business: true}

func newPolicyForm() policyForm {
	f := policyForm{WarnPercent: strconv.Itoa(int(math.Round(kesher.DefaultWarnShare * 100)))}
	for range blankTargets + 1 {
		f.Targets = append(f.Targets, blankTarget)
	}
	return f
}

func formOfPolicy(p *kesher.SLAPolicy) policyForm {
	f := policyForm{ID: p.ID, Name: p.Name, TeamID: p.TeamID, WarnPercent: strconv.Itoa(int(math.Round(p.WarnShare * 100)))}
	for _, t := range p.Targets {
		tf := targetForm{Channel: string(t.Channel), Priority: string(t.Priority), Business: t.BusinessHours, Unit: "minutes"}
		secs := []int64{t.FirstResponseSeconds, t.NextResponseSeconds, t.ResolutionSeconds}
		for _, s := range secs {
			if s%60 != 0 {
				tf.Unit = "seconds"
			}
		}
		div := int64(60)
		if tf.Unit == "seconds" {
			div = 1
		}
		out := make([]string, 3)
		for i, s := range secs {
			if s > 0 {
				out[i] = strconv.FormatInt(s/div, 10)
			}
		}
		tf.First, tf.Next, tf.Resolution = out[0], out[1], out[2]
		f.Targets = append(f.Targets, tf)
	}
	for range blankTargets {
		f.Targets = append(f.Targets, blankTarget)
	}
	return f
}

// postedPolicyForm is the form as it was posted, to show it again.
func postedPolicyForm(id string, v url.Values) policyForm {
	f := policyForm{ID: id, Name: v.Get("name"), TeamID: v.Get("team_id"), WarnPercent: v.Get("warn_share")}
	for i := 0; v.Has(targetField(i, "channel")); i++ {
		f.Targets = append(f.Targets, targetForm{Channel: v.Get(targetField(i, "channel")), Priority: v.Get(targetField(i, "priority")),
			First: v.Get(targetField(i, "first")), Next: v.Get(targetField(i, "next")), Resolution: v.Get(targetField(i, "resolution")),
			Unit: v.Get(targetField(i, "unit")), Business: v.Get(targetField(i, "business")) != ""})
	}
	return f
}

// targetField names an input of row i of the targets table.
func targetField(i int, name string) string { return fmt.Sprintf("targets.%d.%s", i, name) }

// policyInput reads the form. rows maps each target the desk receives to
// its row of the table, so the desk's reasons land in the right row.
func policyInput(r *http.Request) (kesher.SLAPolicy, []int, map[string]string) {
	v := r.PostForm
	in := kesher.SLAPolicy{Name: v.Get("name"), TeamID: v.Get("team_id"), Targets: []kesher.SLATarget{}}
	bad := map[string]string{}
	if s := strings.TrimSpace(v.Get("warn_share")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n >= 100 {
			bad["warn_share"] = "invalid"
		}
		in.WarnShare = float64(n) / 100
	}
	var rows []int
	for i := 0; v.Has(targetField(i, "channel")); i++ {
		unit := int64(60)
		if v.Get(targetField(i, "unit")) == "seconds" {
			unit = 1
		}
		var secs [3]int64
		empty := true
		for k, name := range []string{"first", "next", "resolution"} {
			s := strings.TrimSpace(v.Get(targetField(i, name)))
			if s == "" {
				continue
			}
			empty = false
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 || n > math.MaxInt32 {
				bad[targetField(i, name)] = "invalid"
				continue
			}
			secs[k] = n * unit
		}
		if empty {
			continue
		}
		in.Targets = append(in.Targets, kesher.SLATarget{Channel: kesher.Channel(v.Get(targetField(i, "channel"))),
			Priority: kesher.Priority(v.Get(targetField(i, "priority"))), FirstResponseSeconds: secs[0],
			NextResponseSeconds: secs[1], ResolutionSeconds: secs[2], BusinessHours: v.Get(targetField(i, "business")) != ""})
		rows = append(rows, i)
	}
	return in, rows, bad
}

// targetIndex reads a field the desk names in a policy's targets,
// "targets[2].channel"; targetInputs names the table's input for it.
var (
	targetIndex  = regexp.MustCompile(`^targets\[(\d+)\]\.(.+)$`)
	targetInputs = map[string]string{"channel": "channel", "priority": "priority", "first_response_seconds": "first",
		"next_response_seconds": "next", "resolution_seconds": "resolution"}
)

// saveSLAPolicy creates a policy (POST /admin/sla) or replaces one.
func (w *Web) saveSLAPolicy(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	in, rows, bad := policyInput(r)
	var err error
	if len(bad) > 0 {
		err = &kesher.Error{Code: kesher.ECodeValidation, Message: "the policy form has fields that cannot be read", Fields: bad}
	} else {
		_, err = w.desk.SaveSLAPolicy(r.Context(), id, in)
		err = renameFields(err, func(field string) string {
			m := targetIndex.FindStringSubmatch(field)
			if m == nil {
				return field
			}
			i, _ := strconv.Atoi(m[1])
			if i >= len(rows) {
				return "targets"
			}
			name, ok := targetInputs[m[2]]
			if !ok {
				return "targets"
			}
			return targetField(rows[i], name)
		})
	}
	return w.afterAdminChange(rw, r, p, "sla", id, err)
}

func (w *Web) deleteSLAPolicy(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	return w.afterAdminChange(rw, r, p, "sla", id, w.desk.DeleteSLAPolicy(r.Context(), id))
}

// policyForms reads every policy as its form, the refused one as posted.
func (w *Web) policyForms(ctx context.Context, refused adminForm) ([]policyForm, error) {
	list, err := w.desk.SLAPolicies(ctx)
	if err != nil {
		return nil, err
	}
	forms := make([]policyForm, 0, len(list))
	for _, pol := range list {
		if refused.Refused(pol.ID) {
			forms = append(forms, postedPolicyForm(pol.ID, refused.Values))
			continue
		}
		forms = append(forms, formOfPolicy(pol))
	}
	return forms, nil
}
