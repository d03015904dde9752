package web

import "kesher"

// navCounts are the numbers the top bar shows a signed-in user: how many
// requests the watchdog's alarm lists hold (a request in two of them
// counts twice), and how many of the user's notifications are unread.
type navCounts struct {
	Watchdog, Unread int
}

// fillNav reads the top bar's counts for a whole page. A page still
// renders when they cannot be read: they are a pointer elsewhere, and an
// error page in particular must not fail for them.
func (w *Web) fillNav(p *page) {
	if p.User == nil || p.r == nil {
		return
	}
	ctx := p.r.Context()
	counts, err := w.desk.Watchdog(ctx, kesher.WatchAlarms...)
	if err != nil {
		w.log.Warn("web: watchdog counts", "err", err)
		return
	}
	n := &navCounts{}
	for _, c := range counts {
		n.Watchdog += c
	}
	if n.Unread, err = w.desk.CountUnread(ctx, countCap); err != nil {
		w.log.Warn("web: unread notifications", "err", err)
		return
	}
	p.Counts = n
}
