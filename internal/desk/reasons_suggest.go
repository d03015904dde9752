package desk

import (
	"strings"

	"kesher"
	"kesher/internal/detect"
)

// ReasonSuggestion is the contact reason a conversation's text suggests
// (P9), with the phrase that suggested it, so the agent sees why.
type ReasonSuggestion struct {
	Reason *kesher.Reason
	Phrase string
}

// SuggestReason suggests a reason for a conversation that has none, from
// its subject and what the customer wrote, among the active reasons
// given; nil when it has a reason or nothing in its text points to one.
// It only suggests: an agent applies it.
func SuggestReason(conv *kesher.Conversation, msgs []*kesher.Message, reasons []*kesher.Reason) *ReasonSuggestion {
	if conv.Reason != "" {
		return nil
	}
	byCode := map[string]*kesher.Reason{}
	for _, r := range reasons {
		if r.Active {
			byCode[r.Code] = r
		}
	}
	var rules []detect.ReasonRule
	for _, rule := range detect.DefaultReasonRules() {
		if byCode[rule.Code] != nil {
			rules = append(rules, rule)
		}
	}
	text := []string{conv.Subject}
	for _, m := range msgs {
		if m.Direction == kesher.Inbound {
			text = append(text, m.BodyText)
		}
	}
	code, why, ok := detect.SuggestReason(strings.Join(text, "\n"), rules)
	if !ok {
		return nil
	}
	return &ReasonSuggestion{Reason: byCode[code], Phrase: why.Text}
}
