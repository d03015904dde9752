package desk

import (
	"slices"
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

// MoodFlag is how the customer's latest message reads (P11, P12): the
// flags raised and the phrases that raised them, so the agent sees why.
type MoodFlag struct {
	Angry, Distressed, Abusive, Threat bool
	Phrases                            []string
}

// maxMoodPhrases bounds the phrases a flag shows.
const maxMoodPhrases = 3

// CustomerMood reads the newest inbound message of msgs (oldest first) for
// anger, distress, abuse and threats; nil when it raises none of them.
func CustomerMood(msgs []*kesher.Message) *MoodFlag {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Direction != kesher.Inbound {
			continue
		}
		m := detect.ReadMood(msgs[i].BodyText)
		f := &MoodFlag{Angry: m.Angry(), Distressed: m.Distressed(), Abusive: m.Abusive, Threat: m.Threat}
		if !f.Angry && !f.Distressed && !f.Abusive && !f.Threat {
			return nil
		}
		for _, c := range m.Cues {
			if c.Signal != detect.Positive && len(f.Phrases) < maxMoodPhrases && !slices.Contains(f.Phrases, c.Text) {
				f.Phrases = append(f.Phrases, c.Text)
			}
		}
		return f
	}
	return nil
}
