package store

// QueuedWrites reports how many Writes wait for the group committer, so
// that a test can tell when a batch has formed. It is -1 without group
// commit.
func (db *DB) QueuedWrites() int {
	if db.units == nil {
		return -1
	}
	return len(db.units)
}
