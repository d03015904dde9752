package detect

import "strings"

// ReasonRule suggests a contact reason (P9) when a message holds one of its
// phrases. Phrases are Hebrew or English words or fixed phrases, written in
// their plain form: "משלוח" also finds "והמשלוח" and "כשהמשלוח", and a
// stretched word reads as its plain form.
type ReasonRule struct {
	Code    string
	Phrases []string
}

// SuggestReason suggests a contact reason for an untagged conversation from
// its text. Every phrase found scores its number of words for its rule, so
// that "חיוב כפול" outweighs "חיוב"; the rule with the highest score wins,
// and the earlier rule on a tie. why is the longest phrase found for it, to
// show beside the suggestion. ok is false when no phrase is found, and the
// desk then suggests nothing rather than "other".
func SuggestReason(text string, rules []ReasonRule) (code string, why Match, ok bool) {
	var x phrases[int]
	for i, r := range rules {
		x.add(strings.Join(r.Phrases, "|"), i)
	}
	toks := tokenize(text)
	scores := make([]int, len(rules))
	best := make([]Match, len(rules))
	for i := 0; i < len(toks); {
		rule, n := x.at(toks, i)
		if n == 0 {
			i++
			continue
		}
		scores[rule] += n
		start, end := toks[i].start, toks[i+n-1].end
		if m := best[rule]; m.End-m.Start < end-start {
			best[rule] = Match{Rule: rules[rule].Code, Text: text[start:end], Start: start, End: end}
		}
		i += n
	}
	win := -1
	for i, s := range scores {
		if s > 0 && (win < 0 || s > scores[win]) {
			win = i
		}
	}
	if win < 0 {
		return "", Match{}, false
	}
	return rules[win].Code, best[win], true
}

// DefaultReasonRules returns rules for the contact reasons the demo desk
// seeds, as a starting point an administrator can edit. The more specific
// reasons come first, since a tie goes to the earlier rule: a double
// charge is also a charge, a wrong item also a delivery.
func DefaultReasonRules() []ReasonRule {
	return []ReasonRule{
		{"double_charge", []string{"חיוב כפול", "חויבתי פעמיים", "חייבו אותי פעמיים", "שני חיובים", "פעמיים",
			"charged twice", "double charge", "duplicate charge", "charged me twice", "billed me twice", "two times", "twice"}},
		{"invoice_request", []string{"חשבונית", "חשבונית מס", "חשבוניות", "קבלה", "קבלות",
			"invoice", "invoices", "tax invoice", "receipt", "receipts"}},
		{"coupon_not_working", []string{"קופון", "קוד הנחה", "קוד קופון", "ההנחה", "הנחה", "מבצע", "פרסומת", "קמפיין", "ניוזלטר",
			"coupon", "promo code", "discount code", "discount", "promotion", "campaign", "ad", "newsletter"}},
		{"checkout_error", []string{"עמוד התשלום", "שגיאה", "התשלום נכשל", "נכשל", "נתקע", "להשלים את ההזמנה", "לשלם", "קופה",
			"error", "checkout", "checkout page", "payment failed", "can't pay", "finish the order", "finish my order", "try to pay"}},
		{"price_mismatch_website_store", []string{"מחיר האתר", "באתר זול", "המחיר באתר", "המחיר בחנות", "בחנות יקר", "ההפרש",
			"store price", "online price", "cheaper online", "cheaper on your website", "price difference", "honour the online price", "honor the online price"}},
		{"wrong_item", []string{"מוצר אחר", "לא נכון", "לא נכונה", "שגוי", "שגויה", "חסר", "חסר פריט", "במקום",
			"wrong item", "wrong size", "wrong colour", "wrong color", "missing", "something else"}},
		{"late_delivery", []string{"משלוח", "המשלוח", "מתעכב", "עיכוב", "לא הגיע", "לא הגיעה", "עוד לא הגיעה", "השליח", "חבילה", "מעקב",
			"delivery", "parcel", "hasn't arrived", "still hasn't arrived", "tracking", "courier", "where is my order", "late"}},
		{"return_policy", []string{"להחזיר", "החזרה", "החזרות", "דמי ביטול", "זיכוי", "החזר כספי",
			"return", "return policy", "returns", "cancellation fee", "store credit"}},
		{"defective_product", []string{"שבור", "שבורה", "פגום", "פגומה", "סדק", "הפסיק לעבוד", "לא נדלק", "לא נדלקת", "רעש", "תקלה", "באחריות",
			"broken", "faulty", "defective", "crack", "stopped working", "won't turn on", "noise", "under warranty"}},
		{"product_question", []string{"מתאים", "מתאימה", "מלאי", "במלאי", "הוראות הפעלה", "תקופת האחריות", "מידות", "תקע",
			"in stock", "stock", "dimensions", "plug", "does it come with", "instructions", "warranty period", "suitable"}},
		{"rude_service", []string{"חצוף", "חצופה", "בזלזול", "זלזול", "ניתק", "ניתקה", "בין ארבעה נציגים", "העבירו אותי",
			"rude", "impolite", "hung up", "passed between"}},
		{"callback_missed", []string{"לחזור אליי", "יחזרו אליי", "חזר אליי", "שיתקשרו", "התקשרו", "לא חזרו",
			"call back", "get back to me", "nobody called", "called back"}},
	}
}
