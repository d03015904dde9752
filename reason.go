package kesher

import "time"

// Source is the part of the organisation that causes contacts (P9): the
// service desk mirrors the whole business, and a rise in contacts is
// explained by its source.
type Source string

// Sources.
const (
	SourceProduct   Source = "product"
	SourceBilling   Source = "billing"
	SourceMarketing Source = "marketing"
	SourceWebsite   Source = "website"
	SourceStore     Source = "store"
	SourceDelivery  Source = "delivery"
	SourceService   Source = "service"
	SourceOther     Source = "other"
)

// Sources lists every source.
var Sources = []Source{SourceProduct, SourceBilling, SourceMarketing, SourceWebsite, SourceStore, SourceDelivery, SourceService, SourceOther}

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return oneOf(s, Sources) }

// Reason is why a customer made contact, mapped to its source. A
// conversation refers to its reason by Code.
type Reason struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Source    Source    `json:"source"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}
