package web

import "net/http"

// routes is every page and form of the UI. Patterns use the standard
// mux's method and wildcard syntax, so r.Pattern names the route in the
// server's metrics.
var routes = []route{
	{pattern: "GET /{$}", access: signedIn, handle: func(w *Web, rw http.ResponseWriter, r *http.Request, p *page) error {
		redirect(rw, r, "/inbox")
		return nil
	}},
	{pattern: "GET /login", access: public, handle: (*Web).showSignIn},
	{pattern: "POST /login", access: public, handle: (*Web).signIn},
	{pattern: "POST /logout", access: public, handle: (*Web).signOut},
	{pattern: "GET /setup", access: public, handle: (*Web).showSetup},
	{pattern: "POST /setup", access: public, handle: (*Web).setup},
	{pattern: "POST /settings/language", access: public, handle: (*Web).setLanguage},
	{pattern: "GET /settings", access: signedIn, handle: (*Web).settings},
	{pattern: "POST /settings", access: signedIn, handle: (*Web).saveSettings},
	{pattern: "POST /settings/password", access: signedIn, handle: (*Web).changePassword},

	{pattern: "GET /inbox", access: signedIn, handle: (*Web).inbox},
	{pattern: "GET /search", access: signedIn, handle: (*Web).search},
	{pattern: "GET /live", access: signedIn, handle: (*Web).liveStream},
	{pattern: "GET /conversations/{id}", access: signedIn, handle: (*Web).conversation},
	{pattern: "POST /conversations/{id}", access: signedIn, handle: (*Web).update},
	{pattern: "POST /conversations/{id}/messages", access: signedIn, handle: (*Web).reply},
	{pattern: "GET /messages/{id}/original", access: signedIn, handle: (*Web).emailOriginal},
	{pattern: "POST /conversations/{id}/commitments", access: signedIn, handle: (*Web).createCommitment},
	{pattern: "POST /commitments/{id}", access: signedIn, handle: (*Web).resolveCommitment},
	{pattern: "POST /conversations/{id}/escalation", access: signedIn, handle: (*Web).escalate},
	{pattern: "POST /conversations/{id}/escalation/resolve", access: signedIn, handle: (*Web).resolveEscalation},

	{pattern: "GET /watchdog", access: signedIn, handle: (*Web).watchdog},
	{pattern: "GET /watchdog/{kind}", access: signedIn, handle: (*Web).watchdog},
	{pattern: "GET /notifications", access: signedIn, handle: (*Web).notifications},
	{pattern: "POST /notifications/read", access: signedIn, handle: (*Web).markAllRead},
	{pattern: "GET /load", access: leadOnly, handle: (*Web).agentLoad},

	{pattern: "GET /customers", access: signedIn, handle: (*Web).customers},
	{pattern: "GET /customers/{id}", access: signedIn, handle: (*Web).customer},
	{pattern: "POST /customers/{id}", access: signedIn, handle: (*Web).updateCustomer},
	{pattern: "POST /customers/{id}/identities", access: signedIn, handle: (*Web).addIdentity},
	{pattern: "POST /customers/{id}/identities/{identity}/remove", access: signedIn, handle: (*Web).removeIdentity},
	{pattern: "POST /customers/{id}/merge", access: signedIn, handle: (*Web).mergeCustomer},

	{pattern: "GET /admin/users", access: admin, handle: adminList("users")},
	{pattern: "POST /admin/users", access: admin, handle: (*Web).createUser},
	{pattern: "POST /admin/users/{id}", access: admin, handle: (*Web).updateUser},
	{pattern: "POST /admin/users/{id}/password", access: admin, handle: (*Web).resetPassword},
	{pattern: "GET /admin/teams", access: admin, handle: adminList("teams")},
	{pattern: "POST /admin/teams", access: admin, handle: (*Web).saveTeam},
	{pattern: "POST /admin/teams/{id}", access: admin, handle: (*Web).saveTeam},
	{pattern: "POST /admin/teams/{id}/delete", access: admin, handle: (*Web).deleteTeam},
	{pattern: "GET /admin/reasons", access: admin, handle: adminList("reasons")},
	{pattern: "POST /admin/reasons", access: admin, handle: (*Web).createReason},
	{pattern: "POST /admin/reasons/{code}", access: admin, handle: (*Web).updateReason},
	{pattern: "GET /admin/tags", access: admin, handle: adminList("tags")},
	{pattern: "POST /admin/tags/rename", access: admin, handle: (*Web).renameTag},
	{pattern: "POST /admin/tags/delete", access: admin, handle: (*Web).deleteTag},
	{pattern: "GET /admin/mailboxes", access: admin, handle: adminList("mailboxes")},
	{pattern: "POST /admin/mailboxes", access: admin, handle: (*Web).saveMailbox},
	{pattern: "POST /admin/mailboxes/{id}", access: admin, handle: (*Web).saveMailbox},
	{pattern: "POST /admin/mailboxes/{id}/delete", access: admin, handle: (*Web).deleteMailbox},
	{pattern: "GET /admin/calendars", access: admin, handle: adminList("calendars")},
	{pattern: "POST /admin/calendars", access: admin, handle: (*Web).saveCalendar},
	{pattern: "POST /admin/calendars/{id}", access: admin, handle: (*Web).saveCalendar},
	{pattern: "POST /admin/calendars/{id}/delete", access: admin, handle: (*Web).deleteCalendar},
	{pattern: "GET /admin/sla", access: admin, handle: adminList("sla")},
	{pattern: "POST /admin/sla", access: admin, handle: (*Web).saveSLAPolicy},
	{pattern: "POST /admin/sla/{id}", access: admin, handle: (*Web).saveSLAPolicy},
	{pattern: "POST /admin/sla/{id}/delete", access: admin, handle: (*Web).deleteSLAPolicy},
	{pattern: "GET /admin/assignment", access: admin, handle: adminList("assignment")},
	{pattern: "POST /admin/assignment", access: admin, handle: (*Web).saveAssignmentRule},
	{pattern: "POST /admin/assignment/{id}", access: admin, handle: (*Web).saveAssignmentRule},
	{pattern: "POST /admin/assignment/{id}/delete", access: admin, handle: (*Web).deleteAssignmentRule},
}

// portalRoutes is the customer portal (portal.go): its own sessions,
// apart from the agent desk's.
var portalRoutes = []portalRoute{
	{pattern: "GET /portal", access: portalCustomer, handle: (*Web).portalRequests},
	{pattern: "GET /portal/", access: portalPublic, handle: (*Web).portalHome},
	{pattern: "GET /portal/login", access: portalPublic, handle: (*Web).portalShowSignIn},
	{pattern: "POST /portal/login", access: portalPublic, handle: (*Web).portalAskLink},
	{pattern: "GET /portal/link", access: portalPublic, handle: (*Web).portalShowLink},
	{pattern: "POST /portal/link", access: portalPublic, handle: (*Web).portalFollowLink},
	{pattern: "POST /portal/logout", access: portalPublic, handle: (*Web).portalSignOut},
	{pattern: "POST /portal/language", access: portalPublic, handle: (*Web).portalSetLanguage},
	{pattern: "GET /portal/requests/new", access: portalCustomer, handle: (*Web).portalNewRequest},
	{pattern: "POST /portal/requests", access: portalCustomer, handle: (*Web).portalCreateRequest},
	{pattern: "GET /portal/requests/{ref}", access: portalCustomer, handle: (*Web).portalRequest},
	{pattern: "POST /portal/requests/{ref}/messages", access: portalCustomer, handle: (*Web).portalReply},
}
