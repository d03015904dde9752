package kesher

import (
	"testing"
	"time"
)

// TestCallDerive: a call's state comes from the set of its events, in
// whatever order they arrived.
func TestCallDerive(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	wait := 25
	ringing := &CallEvent{Type: CallRinging, At: t0, From: "+972501234567", Queue: "תמיכה"}
	answered := &CallEvent{Type: CallAnswered, At: t0.Add(12 * time.Second), AgentID: "u1"}
	lateAnswer := &CallEvent{Type: CallAnswered, At: t0.Add(31 * time.Second), AgentID: "u1"}
	ended := &CallEvent{Type: CallEnded, At: t0.Add(3 * time.Minute), RecordingURL: "https://pbx.example/r/1.mp3"}
	answeredAlone := &CallEvent{Type: CallAnswered, At: t0.Add(time.Minute), QueueWaitSeconds: &wait}
	tests := []struct {
		name                   string
		events                 []*CallEvent
		state                  CallState
		answer, wait, duration int // answer -1: not answered
		within                 string
		started                time.Time
	}{
		{"ringing", []*CallEvent{ringing}, CallStateRinging, -1, 0, 0, "nil", t0},
		{"in order", []*CallEvent{ringing, answered, ended}, CallStateCompleted, 12, 12, 168, "true", t0},
		{"ended first", []*CallEvent{ended, answered, ringing}, CallStateCompleted, 12, 12, 168, "true", t0},
		{"answered late", []*CallEvent{ringing, lateAnswer}, CallStateAnswered, 31, 31, 0, "false", t0},
		{"missed", []*CallEvent{ringing, ended}, CallStateMissed, -1, 180, 0, "false", t0},
		{"missed, ended alone", []*CallEvent{ended}, CallStateMissed, -1, 0, 0, "false", t0.Add(3 * time.Minute)},
		{"answered alone, its wait says when it rang", []*CallEvent{answeredAlone}, CallStateAnswered, 25, 25, 0, "false", t0.Add(35 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Call
			c.Derive(tt.events, DefaultAnswerTarget)
			answer := -1
			if c.AnswerSeconds != nil {
				answer = *c.AnswerSeconds
			}
			within := "nil"
			if c.AnsweredWithinTarget != nil {
				within = map[bool]string{true: "true", false: "false"}[*c.AnsweredWithinTarget]
			}
			if c.State != tt.state || answer != tt.answer || c.WaitSeconds != tt.wait || c.DurationSeconds != tt.duration ||
				within != tt.within || !c.StartedAt.Equal(tt.started) || c.AnswerTargetSeconds != 20 {
				t.Errorf("got state %s answer %d wait %d duration %d within %s started %v target %d; want %s %d %d %d %s %v",
					c.State, answer, c.WaitSeconds, c.DurationSeconds, within, c.StartedAt, c.AnswerTargetSeconds,
					tt.state, tt.answer, tt.wait, tt.duration, tt.within, tt.started)
			}
			if c.Direction != CallInbound {
				t.Errorf("direction %q, want inbound by default", c.Direction)
			}
		})
	}
	var c Call
	c.Derive([]*CallEvent{ended, ringing}, DefaultAnswerTarget)
	if c.From != "+972501234567" || c.Queue != "תמיכה" || c.RecordingURL != "https://pbx.example/r/1.mp3" {
		t.Errorf("details from several events: %+v", c)
	}
}
