package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"kesher"
	"kesher/internal/auth"
	"kesher/internal/i18n"
)

// The admin section manages the desk's users, teams, contact reasons, tags,
// mailboxes and messaging accounts, and the settings that keep requests owned: business
// calendars, SLA policies and assignment rules. Its pages work alike: a
// list whose rows carry small forms, a form that creates (except for tags,
// which come from conversations), and after every post either a redirect
// back to the list or the list again with the refused form's errors. The
// handlers of each section live in admin_<section>.go.

// roles are offered least powerful first, so a new user starts as an agent.
var roles = []kesher.Role{kesher.RoleAgent, kesher.RoleLead, kesher.RoleAdmin}

// adminData is what every admin page receives. Users, teams and reasons
// read the directory; the tags page reads the tags instead.
type adminData struct {
	// Section is "users", "teams", "reasons" or "tags": the page's part of
	// the sub-navigation, its title key and its URL.
	Section   string
	Directory *directory
	Tags      []kesher.TagCount
	Mailboxes []mailboxForm
	// NewMailbox is the create form's starting values.
	NewMailbox mailboxForm
	// Accounts are the WhatsApp and Telegram accounts' forms, NewAccount
	// the empty create form; ChannelKinds are its choices.
	Accounts     []channelForm
	NewAccount   channelForm
	ChannelKinds []kesher.Channel
	// Securities and AfterImports are the mailbox form's choices.
	Securities   []kesher.Security
	AfterImports []kesher.AfterImport
	Roles        []kesher.Role
	Sources      []kesher.Source
	Languages    []string
	// MinPassword is the desk's shortest password, for the hint and the
	// browser's own check.
	MinPassword int
	Saved       bool
	Form        adminForm

	// Calendars are the business calendars: the calendars page's forms,
	// and the teams page's choices. NewCalendar starts the create form.
	Calendars   []calendarForm
	NewCalendar calendarForm
	Weekdays    []string
	TimeZones   []string
	// Policies and NewPolicy are the SLA page's forms.
	Policies  []policyForm
	NewPolicy policyForm
	// Rules and NewRule are the assignment page's forms.
	Rules      []ruleForm
	NewRule    ruleForm
	Strategies []kesher.Strategy
	Channels   []kesher.Channel
	Priorities []kesher.Priority
}

// Leads are the users a team's lead may be: active leads and admins.
func (d *adminData) Leads() []*kesher.User {
	var leads []*kesher.User
	for _, u := range d.Directory.ActiveUsers() {
		if u.Role.AtLeast(kesher.RoleLead) {
			leads = append(leads, u)
		}
	}
	return leads
}

// CalendarName resolves a calendar id for the teams list.
func (d *adminData) CalendarName(id string) string {
	for _, c := range d.Calendars {
		if c.ID == id {
			return c.Name
		}
	}
	return ""
}

// adminForm is the form of an admin page that the desk refused: the create
// form (Row "") or the form of one row of the list (Row is the row's id,
// reason code or tag), with the reason per field and what was typed. The
// zero adminForm means nothing was refused.
type adminForm struct {
	Row    string
	Errors map[string]string
	Values url.Values
}

// Refused reports whether row's form is the one the desk refused, so the
// template can show it open.
func (f adminForm) Refused(row string) bool { return f.Errors != nil && f.Row == row }

// ErrorsFor returns the field errors of row's form, or nil when another
// form (or none) was refused.
func (f adminForm) ErrorsFor(row string) map[string]string {
	if f.Refused(row) {
		return f.Errors
	}
	return nil
}

// Value returns what was typed into field of row's refused form, or the
// stored value. A row has several forms, so a field the refused form did
// not carry keeps its stored value.
func (f adminForm) Value(row, field, stored string) string {
	if f.Refused(row) && f.Values.Has(field) {
		return f.Values.Get(field)
	}
	return stored
}

// Checked reports whether a checkbox of row's form is ticked: as it was
// posted when that form was refused (an unticked box is not posted at
// all), else as stored.
func (f adminForm) Checked(row, field, value string, stored []string) bool {
	if f.Refused(row) {
		return slices.Contains(f.Values[field], value)
	}
	return slices.Contains(stored, value)
}

// adminList is the GET handler of a section's page.
func adminList(section string) func(*Web, http.ResponseWriter, *http.Request, *page) error {
	return func(w *Web, rw http.ResponseWriter, r *http.Request, p *page) error {
		return w.showAdmin(rw, r, p, section, http.StatusOK, adminForm{})
	}
}

// showAdmin renders a section's page with the form the desk refused, if
// any.
func (w *Web) showAdmin(rw http.ResponseWriter, r *http.Request, p *page, section string, status int, form adminForm) error {
	d := &adminData{Section: section, Roles: roles, Sources: kesher.Sources, Languages: i18n.Languages(),
		MinPassword: auth.MinPasswordLength, Saved: r.URL.Query().Has("saved"), Form: form,
		Securities:   []kesher.Security{kesher.SecurityStartTLS, kesher.SecurityTLS, kesher.SecurityNone},
		AfterImports: []kesher.AfterImport{kesher.AfterImportMarkSeen, kesher.AfterImportMove, kesher.AfterImportDelete},
		NewMailbox:   newMailboxForm, ChannelKinds: []kesher.Channel{kesher.ChannelWhatsApp, kesher.ChannelTelegram},
		NewCalendar: newCalendarForm(), Weekdays: weekdays, TimeZones: timeZones,
		NewPolicy: newPolicyForm(),
		NewRule:   newRuleForm, Strategies: strategies, Channels: kesher.Channels, Priorities: kesher.Priorities}
	if form.Refused("") {
		d.NewCalendar = postedCalendarForm("", form.Values)
		d.NewPolicy = postedPolicyForm("", form.Values)
		d.NewRule = postedRuleForm("", form.Values)
	}
	ctx := r.Context()
	var err error
	if section != "tags" {
		if d.Directory, err = w.loadDirectory(ctx); err != nil {
			return err
		}
	}
	switch section {
	case "tags":
		d.Tags, err = w.desk.Tags(ctx)
	case "mailboxes":
		d.Mailboxes, err = w.mailboxes(ctx)
	case "channels":
		d.Accounts, err = w.channels(ctx, w.base(r))
	case "teams", "calendars":
		d.Calendars, err = w.calendarForms(ctx, d.Directory, form)
	case "sla":
		d.Policies, err = w.policyForms(ctx, form)
	case "assignment":
		d.Rules, err = w.ruleForms(ctx, form)
	}
	if err != nil {
		return err
	}
	p.Title, p.Nav, p.Data = p.L.T("admin."+section), "admin", d
	w.render(rw, status, "admin_"+section, p)
	return nil
}

// afterAdminChange finishes an admin form: back to the section's list when
// the desk made the change; the list again, status 422, with row's form
// showing its errors and what was typed when the desk refused the values;
// the error page for anything else. The forms name their inputs as the
// desk names its fields, so the desk's field errors land next to them.
func (w *Web) afterAdminChange(rw http.ResponseWriter, r *http.Request, p *page, section, row string, err error) error {
	if err == nil {
		redirect(rw, r, "/admin/"+section+"?saved=1")
		return nil
	}
	fields := validationFields(err)
	if fields == nil {
		return err
	}
	return w.showAdmin(rw, r, p, section, http.StatusUnprocessableEntity, adminForm{Row: row, Errors: fields, Values: typed(r)})
}

// typed is what a form posted, to show a refused form again; never its
// password, which is typed again, nor its token.
func typed(r *http.Request) url.Values {
	v := maps.Clone(r.PostForm)
	delete(v, "password")
	delete(v, "csrf")
	return v
}

// posted returns a posted field's value, or nil when the form does not
// carry the field: a row's forms each change one thing, and the desk's
// partial updates leave the rest alone.
func posted(r *http.Request, field string) *string {
	v := r.PostFormValue(field)
	if !r.PostForm.Has(field) {
		return nil
	}
	return &v
}

// postedBool is posted for a yes/no field such as "active".
func postedBool(r *http.Request, field string) (*bool, error) {
	v := posted(r, field)
	if v == nil {
		return nil, nil
	}
	b, err := strconv.ParseBool(*v)
	if err != nil {
		return nil, kesher.FieldError(field, "invalid", "%s must be true or false, not %q", field, *v)
	}
	return &b, nil
}
