package search

import "strings"

// stopWords are very common words, in their exact normalised forms (final
// letters folded). They are matched like any word; only a widened query
// leaves them out, where they would match nearly everything.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(stopText) {
		m[w] = true
	}
	return m
}()

const stopText = `
של את על עם זה זו זאת הוא היא הם הנ אני אתה אתמ אנחנו לי לו לה לך לכמ לנו
כי אמ גמ או אבל רק כל יש אינ לא כנ מה מי איכ למה מתי איפה כבר עוד היה היתה
אלה אלו שלי שלכמ שלו שלה שלנו הזה הזאת הזו בו בה בי אצל כמו מאוד
a an and are as at be but by for from has have i if in is it its my no not
of on or our so that the their them there they this to was we were what
when which who will with you your
`
