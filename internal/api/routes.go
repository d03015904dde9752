package api

import (
	"net/http"
	"strings"

	"kesher"
	"kesher/internal/desk"
)

// handlerFunc serves one route. It writes the success response itself and
// returns any error, which the route's wrapper writes in the error format.
type handlerFunc func(a *api, w http.ResponseWriter, r *http.Request) error

// route is one entry of the API. The table below is the single list of
// routes: New registers it, and tests check the OpenAPI document and the
// authorisation matrix against it.
type route struct {
	method string
	path   string // relative to /api/v1
	// public routes need no credentials.
	public bool
	// oneTimeSecret routes answer with a secret that is shown once and never
	// stored in the clear, so an idempotent replay cannot repeat it.
	oneTimeSecret bool
	// maxBody bounds the request body instead of the API's limit, for the
	// routes that take files.
	maxBody int64
	handle  handlerFunc
}

func (rt route) pattern() string { return rt.method + " " + prefix + rt.path }

var routes = []route{
	{method: "GET", path: "/openapi.json", public: true, handle: (*api).openAPI},

	{method: "POST", path: "/customers", handle: (*api).createCustomer},
	{method: "GET", path: "/customers", handle: (*api).listCustomers},
	{method: "GET", path: "/customers/{id}", handle: (*api).getCustomer},
	{method: "PATCH", path: "/customers/{id}", handle: (*api).updateCustomer},
	{method: "POST", path: "/customers/{id}/identities", handle: (*api).addIdentity},
	{method: "DELETE", path: "/customers/{id}/identities/{identity_id}", handle: (*api).removeIdentity},
	{method: "POST", path: "/customers/{id}/merge", handle: (*api).mergeCustomer},
	{method: "GET", path: "/customers/{id}/timeline", handle: (*api).customerTimeline},

	{method: "POST", path: "/conversations", handle: (*api).createConversation},
	{method: "GET", path: "/conversations", handle: (*api).listConversations},
	{method: "GET", path: "/conversations/{id}", handle: (*api).getConversation},
	{method: "PATCH", path: "/conversations/{id}", handle: (*api).updateConversation},
	{method: "GET", path: "/conversations/{id}/events", handle: (*api).conversationEvents},
	{method: "POST", path: "/conversations/{id}/handoff", handle: (*api).handoff},
	{method: "GET", path: "/conversations/{id}/messages", handle: (*api).listMessages},
	{method: "POST", path: "/conversations/{id}/messages", handle: (*api).addMessage},
	{method: "POST", path: "/conversations/{id}/commitments", handle: (*api).createCommitment},
	{method: "GET", path: "/conversations/{id}/commitments", handle: (*api).conversationCommitments},
	{method: "POST", path: "/conversations/{id}/escalation", handle: (*api).escalate},
	{method: "GET", path: "/conversations/{id}/escalation", handle: (*api).escalations},
	{method: "PATCH", path: "/conversations/{id}/escalation", handle: (*api).resolveEscalation},
	{method: "GET", path: "/conversations/{id}/whatsapp-window", handle: (*api).whatsAppWindow},

	{method: "GET", path: "/commitments", handle: (*api).commitments},
	{method: "PATCH", path: "/commitments/{id}", handle: (*api).updateCommitment},
	{method: "POST", path: "/commitments/suggest", handle: (*api).suggestCommitments},

	{method: "GET", path: "/search", handle: (*api).search},

	{method: "POST", path: "/calls/events", handle: (*api).callEvent},
	{method: "GET", path: "/calls", handle: (*api).listCalls},
	{method: "GET", path: "/calls/{id}", handle: (*api).getCall},

	{method: "GET", path: "/watchdog", handle: (*api).watchdog},
	{method: "GET", path: "/watchdog/{kind}", handle: (*api).watchList},
	{method: "GET", path: "/agents/load", handle: (*api).agentLoads},
	{method: "GET", path: "/notifications", handle: (*api).notifications},
	{method: "POST", path: "/notifications/read", handle: (*api).markRead},

	{method: "POST", path: "/users", handle: (*api).createUser},
	{method: "GET", path: "/users", handle: (*api).listUsers},
	{method: "GET", path: "/users/me", handle: (*api).me},
	{method: "GET", path: "/users/{id}", handle: (*api).getUser},
	{method: "PATCH", path: "/users/{id}", handle: (*api).updateUser},
	{method: "POST", path: "/users/{id}/tokens", oneTimeSecret: true, handle: (*api).createToken},

	{method: "POST", path: "/teams", handle: (*api).createTeam},
	{method: "GET", path: "/teams", handle: (*api).listTeams},
	{method: "GET", path: "/teams/{id}", handle: (*api).getTeam},
	{method: "PATCH", path: "/teams/{id}", handle: (*api).updateTeam},
	{method: "DELETE", path: "/teams/{id}", handle: (*api).deleteTeam},

	{method: "POST", path: "/reasons", handle: (*api).createReason},
	{method: "GET", path: "/reasons", handle: (*api).listReasons},
	{method: "GET", path: "/reasons/{code}", handle: (*api).getReason},
	{method: "PATCH", path: "/reasons/{code}", handle: (*api).updateReason},

	{method: "POST", path: "/mailboxes", handle: (*api).createMailbox},
	{method: "GET", path: "/mailboxes", handle: (*api).listMailboxes},
	{method: "GET", path: "/mailboxes/{id}", handle: (*api).getMailbox},
	{method: "PATCH", path: "/mailboxes/{id}", handle: (*api).updateMailbox},
	{method: "DELETE", path: "/mailboxes/{id}", handle: (*api).deleteMailbox},

	{method: "POST", path: "/channels", handle: (*api).createChannel},
	{method: "GET", path: "/channels", handle: (*api).listChannels},
	{method: "GET", path: "/channels/{id}", handle: (*api).getChannel},
	{method: "PATCH", path: "/channels/{id}", handle: (*api).updateChannel},
	{method: "DELETE", path: "/channels/{id}", handle: (*api).deleteChannel},

	{method: "POST", path: "/calendars", handle: (*api).createCalendar},
	{method: "GET", path: "/calendars", handle: (*api).listCalendars},
	{method: "GET", path: "/calendars/{id}", handle: (*api).getCalendar},
	{method: "PUT", path: "/calendars/{id}", handle: (*api).updateCalendar},
	{method: "DELETE", path: "/calendars/{id}", handle: (*api).deleteCalendar},

	{method: "POST", path: "/sla-policies", handle: (*api).createSLAPolicy},
	{method: "GET", path: "/sla-policies", handle: (*api).listSLAPolicies},
	{method: "GET", path: "/sla-policies/{id}", handle: (*api).getSLAPolicy},
	{method: "PUT", path: "/sla-policies/{id}", handle: (*api).updateSLAPolicy},
	{method: "DELETE", path: "/sla-policies/{id}", handle: (*api).deleteSLAPolicy},

	{method: "POST", path: "/assignment-rules", handle: (*api).createAssignmentRule},
	{method: "GET", path: "/assignment-rules", handle: (*api).listAssignmentRules},
	{method: "GET", path: "/assignment-rules/{id}", handle: (*api).getAssignmentRule},
	{method: "PUT", path: "/assignment-rules/{id}", handle: (*api).updateAssignmentRule},
	{method: "DELETE", path: "/assignment-rules/{id}", handle: (*api).deleteAssignmentRule},

	{method: "GET", path: "/articles", handle: (*api).listArticles},
	{method: "POST", path: "/articles", handle: (*api).createArticle},
	{method: "GET", path: "/articles/{id}", handle: (*api).getArticle},
	{method: "PATCH", path: "/articles/{id}", handle: (*api).updateArticle},
	{method: "DELETE", path: "/articles/{id}", handle: (*api).deleteArticle},
	{method: "GET", path: "/articles/{id}/revisions", handle: (*api).listRevisions},
	{method: "GET", path: "/articles/{id}/revisions/{number}", handle: (*api).getRevision},
	{method: "POST", path: "/articles/{id}/revisions/{number}/restore", handle: (*api).restoreRevision},
	{method: "GET", path: "/article-categories", handle: (*api).listCategories},
	{method: "POST", path: "/article-categories", handle: (*api).createCategory},
	{method: "GET", path: "/article-categories/{id}", handle: (*api).getCategory},
	{method: "PATCH", path: "/article-categories/{id}", handle: (*api).updateCategory},
	{method: "DELETE", path: "/article-categories/{id}", handle: (*api).deleteCategory},
	{method: "GET", path: "/article-sections", handle: (*api).listSections},
	{method: "POST", path: "/article-sections", handle: (*api).createSection},
	{method: "GET", path: "/article-sections/{id}", handle: (*api).getSection},
	{method: "PATCH", path: "/article-sections/{id}", handle: (*api).updateSection},
	{method: "DELETE", path: "/article-sections/{id}", handle: (*api).deleteSection},
	{method: "POST", path: "/article-images", maxBody: desk.MaxImageBytes, handle: (*api).uploadImage},
	{method: "GET", path: "/help/stats", handle: (*api).helpStats},

	{method: "POST", path: "/surveys", handle: (*api).createSurvey},
	{method: "GET", path: "/surveys", handle: (*api).listSurveys},
	{method: "GET", path: "/surveys/{id}", handle: (*api).getSurvey},
	{method: "PUT", path: "/surveys/{id}", handle: (*api).updateSurvey},
	{method: "DELETE", path: "/surveys/{id}", handle: (*api).deleteSurvey},
	{method: "GET", path: "/survey-responses", handle: (*api).listSurveyResponses},
	{method: "GET", path: "/survey-results", handle: (*api).surveyResults},
}

// handler wraps a route with what every request goes through: the body
// limit, authentication and, for POST, the Idempotency-Key.
func (a *api) handler(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := a.maxBody
		if rt.maxBody > 0 {
			limit = rt.maxBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if !rt.public {
			u, err := a.authenticate(r)
			if err != nil {
				a.writeError(w, r, err)
				return
			}
			r = r.WithContext(kesher.WithActor(r.Context(), u))
		}
		if r.Method == http.MethodPost && r.Header.Get(idempotencyHeader) != "" {
			a.idempotent(w, r, rt)
			return
		}
		a.serve(w, r, rt.handle)
	})
}

// serve runs h and writes its error, if any.
func (a *api) serve(w http.ResponseWriter, r *http.Request, h handlerFunc) {
	if err := h(a, w, r); err != nil {
		a.writeError(w, r, err)
	}
}

// unrouted answers a request no route matched: 405 with Allow when the path
// exists under other methods, else 404.
func (a *api) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host}
		if _, pattern := a.mux.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		a.writeError(w, r, kesher.Errorf(codeMethodNotAllowed, "%s is not allowed here; use %s", r.Method, strings.Join(allow, ", ")))
		return
	}
	a.writeError(w, r, kesher.Errorf(kesher.ECodeNotFound, "no such route: %s %s", r.Method, r.URL.Path))
}
