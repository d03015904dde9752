package kesher

// Publisher carries committed events to whoever is listening (open browser
// pages, other nodes). Publish must not block its caller, a writer that has
// just committed: a listener too slow to keep up loses events and learns
// that it did, rather than holding up the desk. Listeners share the events
// and must not change them.
type Publisher interface {
	Publish(events []*Event)
}
