package bench

import (
	mrand "math/rand/v2"
	"strconv"
	"strings"
)

// Varied message text for the search benchmark: each message joins one to
// four sentences drawn from pools per language and role, with products,
// places, days, amounts and order numbers filled in, so the index sees a
// vocabulary of thousands of forms (prefixed, inflected, plural) rather
// than a few templates.
var (
	heProducts = []string{"מכונת קפה", "שואב אבק", "אוזניות", "מקלדת", "כיסא משרדי", "מזרן", "טלוויזיה", "מקרר", "מיקרוגל",
		"מחשב נייד", "טאבלט", "שעון חכם", "מצלמה", "רמקול", "מאוורר", "מזגן", "תנור", "קומקום", "בלנדר", "מגהץ",
		"עגלת תינוק", "אופניים", "מחבת", "סיר לחץ", "שולחן", "ספה", "מנורה", "וילון", "שטיח", "מדפסת"}
	enProducts = []string{"coffee machine", "vacuum cleaner", "headphones", "keyboard", "office chair", "mattress", "television",
		"fridge", "microwave", "laptop", "tablet", "smart watch", "camera", "speaker", "fan", "air conditioner", "oven",
		"kettle", "blender", "iron", "stroller", "bicycle", "frying pan", "pressure cooker", "desk", "sofa", "lamp",
		"curtain", "rug", "printer"}
	heCities = []string{"תל אביב", "ירושלים", "חיפה", "באר שבע", "אשדוד", "נתניה", "ראשון לציון", "פתח תקווה", "חולון", "רמת גן",
		"אילת", "עכו", "נצרת", "הרצליה", "כפר סבא", "רעננה", "מודיעין", "רחובות", "קריית שמונה", "טבריה"}
	enCities = []string{"Tel Aviv", "Jerusalem", "Haifa", "Beersheba", "Ashdod", "Netanya", "London", "Manchester", "New York",
		"Boston", "Chicago", "Toronto", "Berlin", "Paris", "Madrid", "Rome", "Athens", "Lisbon", "Dublin", "Vienna"}
	heDays = []string{"ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי"}
	enDays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Sunday"}

	heCustomerSentences = []string{
		"הזמנתי {p} בהזמנה מספר {o} ועדיין לא קיבלתי אותה.",
		"ההזמנה שלי הייתה אמורה להגיע ביום {d} ולא הגיעה.",
		"השליח לא הגיע לכתובת שלי ב{c}.",
		"ה{p} הגיע שבור ואני רוצה להחזיר אותו.",
		"חויבתי פעמיים על סך {a} שקלים.",
		"אשמח לקבל חשבונית מס על ההזמנה.",
		"איך אני מחליף את הכתובת למשלוח?",
		"הקוד של הקופון לא עובד באתר.",
		"האפליקציה נתקעת כשאני מנסה לשלם.",
		"שכחתי את הסיסמה ולא מגיע אליי מייל לאיפוס.",
		"אני רוצה לבטל את ההזמנה ולקבל החזר כספי.",
		"המוצרים שהזמנתי לא תואמים לתמונות באתר.",
		"כמה זמן לוקח משלוח ל{c}?",
		"האם אפשר לאסוף את ההזמנה מהסניף?",
		"קיבלתי מוצר אחר ממה שהזמנתי.",
		"המחיר באתר היה שונה מהמחיר שחויבתי בו.",
		"אני מחכה כבר שבועיים לזיכוי.",
		"הנציגה הבטיחה לחזור אליי ולא חזרה.",
		"רציתי לברר לגבי האחריות על ה{p}.",
		"תודה רבה על העזרה המהירה!",
		"זו כבר הפנייה השלישית שלי בנושא הזה.",
		"אפשר להחליף את ה{p} במידה אחרת?",
		"ההזמנות שלי מופיעות כמבוטלות בחשבון.",
		"לא הצלחתי להתחבר לחשבון מהנייד.",
		"ביום {d} אני לא בבית, אפשר לתאם משלוח אחר?",
	}
	heAgentSentences = []string{
		"שלום, תודה שפנית אלינו.",
		"בדקתי את הזמנה {o} והיא יצאה מהמחסן ביום {d}.",
		"החבילה תגיע אלייך ל{c} תוך שלושה ימי עסקים.",
		"ביטלתי את החיוב הכפול והזיכוי יופיע בכרטיס האשראי.",
		"שלחתי לך קישור חדש לאיפוס הסיסמה.",
		"אנחנו שולחים {p} חלופי ללא עלות.",
		"השליח יאסוף את המוצר הפגום ביום {d}.",
		"החשבונית נשלחה לכתובת המייל שלך.",
		"עדכנתי את כתובת המשלוח בהזמנה.",
		"הקופון תוקן ואפשר להשתמש בו שוב.",
		"אני מתנצלת על העיכוב ועל אי הנוחות.",
		"אחזור אלייך עד יום {d} עם תשובה.",
		"ההחזר הכספי על סך {a} שקלים אושר.",
		"לפי מדיניות ההחזרות אפשר להחזיר מוצר תוך 14 יום.",
		"האחריות על ה{p} היא לשנה מיום הרכישה.",
		"אם יש עוד שאלות, אני כאן.",
	}
	heNoteSentences = []string{
		"לקוחה חוזרת, לטפל בעדיפות.",
		"בדקתי מול המחסן, המלאי של ה{p} חסר.",
		"העברתי לצוות החיובים לבדיקת החיוב הכפול.",
		"הלקוח ביקש לדבר עם מנהל.",
		"ממתינים לתשובה מחברת השליחויות.",
	}
	enCustomerSentences = []string{
		"I ordered a {p} with order number {o} and it still hasn't arrived.",
		"My order was supposed to arrive on {d} but it didn't.",
		"The courier never came to my address in {c}.",
		"The {p} arrived broken and I want to return it.",
		"I was charged twice, {a} dollars each time.",
		"Could you send me an invoice for this order?",
		"How do I change the delivery address?",
		"The coupon code doesn't work on the website.",
		"The app freezes when I try to pay.",
		"I forgot my password and the reset email never arrives.",
		"I'd like to cancel the order and get a refund.",
		"The products I received don't match the pictures.",
		"How long does shipping to {c} take?",
		"Can I pick up my order from the store?",
		"I received a different item from the one I ordered.",
		"The price on the website was different from what I was charged.",
		"I've been waiting two weeks for my refund.",
		"Your agent promised to call me back and never did.",
		"What's the warranty on the {p}?",
		"Thanks a lot for the quick help!",
		"This is the third time I'm writing about this.",
		"Can I exchange the {p} for another size?",
		"My orders show as cancelled in my account.",
		"I couldn't sign in to my account from my phone.",
		"I'm not home on {d}, can we reschedule the delivery?",
	}
	enAgentSentences = []string{
		"Hi, thanks for getting in touch.",
		"I checked order {o}: it left our warehouse on {d}.",
		"The parcel will reach you in {c} within three business days.",
		"I reversed the duplicate charge; the credit will show on your card.",
		"I've sent you a new password reset link.",
		"We're sending you a replacement {p} free of charge.",
		"The courier will collect the damaged item on {d}.",
		"The invoice has been sent to your email address.",
		"I updated the delivery address on the order.",
		"The coupon is fixed and can be used again.",
		"I'm sorry for the delay and the inconvenience.",
		"I'll get back to you by {d} with an answer.",
		"Your refund of {a} dollars has been approved.",
		"Under our returns policy you can return a product within 14 days.",
		"The {p} comes with a one-year warranty from the date of purchase.",
		"If there's anything else, I'm here.",
	}
	enNoteSentences = []string{
		"Returning customer, handle with priority.",
		"Checked with the warehouse: the {p} is out of stock.",
		"Passed to billing to look at the double charge.",
		"Customer asked to speak to a manager.",
		"Waiting for the courier company to answer.",
	}
)

// variedText writes a message: Hebrew or English, by a customer, an agent
// or in a note.
func variedText(r *mrand.Rand, hebrew bool, role textRole, order int) string {
	pools := map[textRole][2][]string{
		roleCustomer: {enCustomerSentences, heCustomerSentences},
		roleAgent:    {enAgentSentences, heAgentSentences},
		roleNote:     {enNoteSentences, heNoteSentences},
	}
	lang := 0
	if hebrew {
		lang = 1
	}
	sentences := pools[role][lang]
	n := 1 + r.IntN(4)
	parts := make([]string, 0, n)
	for range n {
		parts = append(parts, fillSentence(r, pick(r, sentences), hebrew, order))
	}
	return strings.Join(parts, " ")
}

// textRole is who writes a generated message.
type textRole uint8

const (
	roleCustomer textRole = iota
	roleAgent
	roleNote
)

func fillSentence(r *mrand.Rand, s string, hebrew bool, order int) string {
	products, cities, days := enProducts, enCities, enDays
	if hebrew {
		products, cities, days = heProducts, heCities, heDays
	}
	return strings.NewReplacer(
		"{p}", pick(r, products),
		"{c}", pick(r, cities),
		"{d}", pick(r, days),
		"{a}", strconv.Itoa(20+r.IntN(2000)),
		"{o}", "#"+strconv.Itoa(order),
	).Replace(s)
}
