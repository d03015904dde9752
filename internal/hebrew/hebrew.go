// Package hebrew classifies the characters of Hebrew text that the desk's
// readers of text (search, promises, manager requests) must treat alike.
package hebrew

// IsPoint reports niqqud and cantillation, which a reader drops. The
// Hebrew block mixes them with punctuation (maqaf, paseq, sof pasuq, nun
// hafukha), which separates words and so is not a point.
func IsPoint(r rune) bool {
	return r >= 0x0591 && r <= 0x05C7 && r != 0x05BE && r != 0x05C0 && r != 0x05C3 && r != 0x05C6
}

// IsGeresh covers what people type for a geresh or an apostrophe:
// "צ'יפס" and "צ׳יפס", "I'll" and "I’ll" must read the same.
func IsGeresh(r rune) bool {
	switch r {
	case '\'', '׳', '’', '‘', '`', '´':
		return true
	}
	return false
}

// IsGershayim covers what people type for gershayim, which Hebrew uses
// inside abbreviations such as דו"ח and אחה"צ; word processors often turn
// the ASCII quote into a curly one.
func IsGershayim(r rune) bool {
	switch r {
	case '"', '״', '“', '”', '„':
		return true
	}
	return false
}
