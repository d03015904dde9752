package desk

import (
	"context"
	"errors"
	"sync"
	"time"

	"kesher"
)

// Durable timers (SLA warnings and breaches, commitment reminders and due
// times, escalation targets) are due times stored on the rows they belong
// to, not rows of their own: a change that moves a clock moves its timer in
// the same write, so no timer is ever stale, and intake writes nothing
// extra. The scheduler reads the due ones through partial indexes; firing
// one claims it (the store clears the due time only where it is unchanged)
// and saves the row's next due time in the same transaction, so a timer
// fires once, after a restart too, however many nodes share the database.

// timerBatch is how many due timers one pass reads; each fires in a Write
// of its own, and the Writes share group commits.
const timerBatch = 500

// timerWorkers fire a batch's timers concurrently, so that thousands due
// in the same second share a few commits instead of queueing one by one.
const timerWorkers = 32

// timerPoll bounds how long the scheduler sleeps: another node may add a
// timer due sooner than the one it waits for.
const timerPoll = time.Second

// RunTimers fires due timers until ctx ends. It sleeps until the next timer
// is due, at most timerPoll, so a timer set meanwhile, here or on another
// node, fires within timerPoll of its due time.
func (d *Desk) RunTimers(ctx context.Context) {
	for {
		wait := timerPoll
		if _, err := d.FireDueTimers(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("firing timers", "err", err)
		} else if next, ok, err := d.store.NextTimer(ctx); err == nil && ok {
			wait = min(max(next.DueAt.Sub(d.clock.Now()), 0), timerPoll)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		t.Stop()
	}
}

// FireDueTimers fires every timer due now and returns how many fired (a
// timer another node fired first does not count).
func (d *Desk) FireDueTimers(ctx context.Context) (int, error) {
	fired := 0
	for {
		due, err := d.store.DueTimers(ctx, d.clock.Now(), timerBatch)
		if err != nil || len(due) == 0 {
			return fired, err
		}
		n, err := d.fireAll(ctx, due)
		fired += n
		if err != nil || len(due) < timerBatch {
			return fired, err
		}
	}
}

// fireAll fires timers concurrently and returns how many fired.
func (d *Desk) fireAll(ctx context.Context, due []kesher.Timer) (int, error) {
	var (
		mu    sync.Mutex
		fired int
		errs  []error
		wg    sync.WaitGroup
	)
	next := make(chan kesher.Timer)
	for range min(timerWorkers, len(due)) {
		wg.Go(func() {
			for t := range next {
				ok, err := d.fireTimer(ctx, t)
				mu.Lock()
				if ok {
					fired++
				}
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, t := range due {
		next <- t
	}
	close(next)
	wg.Wait()
	return fired, errors.Join(errs...)
}

// fireTimer fires one timer in a Write of its own; it reports false when
// the timer was claimed elsewhere or moved meanwhile.
func (d *Desk) fireTimer(ctx context.Context, t kesher.Timer) (bool, error) {
	fired, late := false, time.Duration(0)
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		ok, err := tx.ClaimTimer(ctx, t)
		if err != nil || !ok {
			return err
		}
		fired = true
		now := d.clock.Now()
		late = now.Sub(t.DueAt)
		switch t.Kind {
		case kesher.TimerSLA:
			return d.fireSLA(ctx, tx, t.ID, now)
		case kesher.TimerCommitment:
			return d.fireCommitment(ctx, tx, t.ID, now)
		case kesher.TimerEscalation:
			return d.fireEscalation(ctx, tx, t.ID, now)
		}
		return nil
	})
	fired = fired && err == nil
	if fired && d.timerDelay != nil {
		d.timerDelay(t.Kind, late)
	}
	return fired, err
}

// fireSLA records the warnings and breaches of a conversation's clocks.
// Its activity time stays: a clock ticking is not activity.
func (d *Desk) fireSLA(ctx context.Context, tx kesher.Tx, id string, now time.Time) error {
	conv, err := tx.Conversation(ctx, id)
	if err != nil || conv.SLA == nil {
		return err
	}
	if err := d.recordSLA(ctx, tx, conv, fire(conv.SLA, now)); err != nil {
		return err
	}
	return tx.UpdateConversation(ctx, conv)
}
