package kesher

import "time"

// SearchKind is what a searchable document is.
type SearchKind string

// Kinds of documents.
const (
	SearchConversation SearchKind = "conversation" // a conversation's subject
	SearchMessage      SearchKind = "message"
	SearchCustomer     SearchKind = "customer" // name and identities
	SearchArticle      SearchKind = "article"
)

// Valid reports whether k is a known kind.
func (k SearchKind) Valid() bool {
	switch k {
	case SearchConversation, SearchMessage, SearchCustomer, SearchArticle:
		return true
	}
	return false
}

// SearchMatch is a full-text condition that both databases evaluate alike:
// as an FTS5 MATCH expression over the base and loose columns, or as a
// tsquery over the documents' terms (internal/search.Query is one).
type SearchMatch interface {
	FTS5() string
	TSQuery() string
}

// SearchFilter selects the documents a search may find.
type SearchFilter struct {
	Match SearchMatch
	// Kinds limits the kinds; none means every kind.
	Kinds []SearchKind
	// Statuses, Channels, OwnerID and Unowned hold to the conversation of
	// a conversation or message; set, they leave out customers and
	// articles.
	Statuses []Status
	Channels []Channel
	OwnerID  string
	Unowned  bool
	// From and To bound when documents were written (To exclusive); zero
	// for no bound.
	From, To time.Time
	// Audience and Language hold to articles: "public" for the help
	// centre, "" for any; a language code or "" for any.
	Audience, Language string
	// Limit is how many of the newest matches to return.
	Limit int
}

// SearchCandidate is a document a search matched, with its text for
// ranking and snippets.
type SearchCandidate struct {
	Kind           SearchKind
	ID             string
	ConversationID string // of a message, and a conversation's own id
	CreatedAt      time.Time
	Title, Body    string
	// Audience and Language are an article's visibility and language.
	Audience, Language string
}

// IndexTask is a document whose source changed and that the indexer must
// index again.
type IndexTask struct {
	Seq  int64
	Kind SearchKind
	ID   string
}

// IndexSource is what the indexer reads of a document: its text and the
// attributes searches filter on. Gone says it no longer exists (or must no
// longer be found, as a customer merged into another), and its index entry
// goes.
type IndexSource struct {
	Kind               SearchKind
	ID                 string
	ConversationID     string
	CreatedAt          time.Time
	Title, Body        string
	Audience, Language string
	Gone               bool
}

// IndexEntry is a document's analysed text as the index stores it (see
// internal/search.Doc): base terms at their positions, loose terms
// without, both encoded and space-separated.
type IndexEntry struct {
	IndexSource
	Base, Loose string
}
