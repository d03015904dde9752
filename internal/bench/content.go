package bench

import (
	"strconv"
	"strings"

	"kesher"
)

// fill puts the order number into a template that has a place for it.
func fill(tmpl string, order int) string {
	return strings.ReplaceAll(tmpl, "%[1]d", strconv.Itoa(order))
}

// Names, subjects and message bodies of the generated desk, in Hebrew and
// English. Placeholders: %[1]d is an order number.
var (
	heFirst = []string{"נועה", "תמר", "מאיה", "יעל", "שירה", "אביגיל", "רותם", "הילה", "דנה", "מיכל",
		"איתי", "יוסף", "דוד", "אריאל", "עומר", "נדב", "אורי", "יונתן", "גיא", "רון"}
	heLast = []string{"כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם", "פרידמן", "אזולאי", "דהן", "חדד",
		"גבאי", "שפירא", "קליין", "אוחיון", "רוזן", "סגל", "בן דוד", "אשכנזי", "יוסף", "מלכה"}
	enFirst = []string{"Emma", "Olivia", "Sophia", "Mia", "Grace", "Noah", "Liam", "James", "Lucas", "Ethan",
		"Daniel", "Sarah", "David", "Anna", "Michael", "Rachel", "Adam", "Laura", "Ben", "Julia"}
	enLast = []string{"Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Clark", "Lewis", "Walker",
		"Hall", "Young", "King", "Green", "Baker", "Adams", "Nelson", "Carter", "Evans", "Parker"}
	// latin spells the local part of customers' email addresses.
	latin   = []string{"noa", "tamar", "maya", "yael", "shira", "itai", "yosef", "david", "ariel", "omer", "emma", "liam", "sarah", "dan", "ruth"}
	domains = []string{"example.com", "example.net", "example.org", "mail.example", "walla.example", "gmail.example"}

	heSubjects = []string{"ההזמנה %[1]d לא הגיעה", "חויבתי פעמיים על הזמנה %[1]d", "בקשה לביטול הזמנה %[1]d",
		"המוצר הגיע פגום", "לא מצליח/ה להתחבר לחשבון", "שאלה על החשבונית", "החלפת מידה", "עיכוב במשלוח",
		"קוד הקופון לא עובד", "בקשה להחזר כספי", "שינוי כתובת למשלוח", "האפליקציה קורסת בתשלום"}
	enSubjects = []string{"Order %[1]d has not arrived", "Charged twice for order %[1]d", "Please cancel order %[1]d",
		"The item arrived damaged", "Cannot sign in to my account", "Question about my invoice", "Exchange for another size",
		"Delivery is late", "Coupon code does not work", "Refund request", "Change the delivery address", "App crashes at checkout"}
	heCustomer = []string{
		"שלום, הזמנתי לפני שבוע (הזמנה %[1]d) ועדיין לא קיבלתי שום עדכון על המשלוח. אשמח לדעת מתי זה יגיע.",
		"היי, ראיתי בכרטיס האשראי שני חיובים על אותה הזמנה %[1]d. אבקש לבטל את החיוב הכפול בהקדם.",
		"ערב טוב, המוצר הגיע עם שריטה גדולה בצד. צירפתי תמונה. מה אפשר לעשות?",
		"ניסיתי לאפס סיסמה שלוש פעמים ולא מגיע אליי מייל. אני תקוע/ה בחוץ כבר יומיים.",
		"תודה על המענה המהיר! עוד שאלה קטנה: אפשר לשנות את כתובת המשלוח להזמנה %[1]d?",
		"עדיין לא קיבלתי תשובה על הפנייה הקודמת שלי. זה כבר הופך למתסכל.",
	}
	heAgent = []string{
		"שלום, תודה שפנית אלינו. בדקתי את הזמנה %[1]d: החבילה נמצאת במרכז ההפצה ותגיע אלייך תוך יומיים.",
		"ביטלתי את החיוב הכפול. הזיכוי יופיע בכרטיס תוך 3–5 ימי עסקים. אם יש עוד שאלות, אני כאן.",
		"מצטערים על התקלה. שלחנו מוצר חלופי ללא עלות ושליח יאסוף את הפגום.",
		"איפסתי את החשבון ושלחתי קישור חדש לכתובת המייל שלך. הקישור בתוקף ל-24 שעות.",
	}
	enCustomer = []string{
		"Hi, I ordered a week ago (order %[1]d) and still have no tracking update. When will it arrive?",
		"Hello, my card shows two identical charges for order %[1]d. Please refund the duplicate.",
		"The item arrived with a big scratch on the side. Photo attached. What can you do?",
		"I tried to reset my password three times and the email never arrives. I've been locked out for two days.",
		"Thanks for the quick answer! One more thing: can I change the delivery address for order %[1]d?",
		"I still haven't heard back about my previous message. This is getting frustrating.",
	}
	enAgent = []string{
		"Hi, thanks for reaching out. I checked order %[1]d: the parcel is at the distribution centre and will reach you within two days.",
		"I reversed the duplicate charge; the credit will show on your card within 3–5 business days. Anything else, I'm here.",
		"Sorry about that. We've sent a replacement free of charge, and a courier will collect the damaged one.",
		"I reset your account and sent a new link to your email address. It is valid for 24 hours.",
	}
	notes = []string{"לבדוק מול מחסן", "VIP – לטפל בעדיפות", "waiting for the courier's answer", "escalated to billing"}
	tags  = []string{"vip", "refund", "shipping", "bug", "billing", "complaint", "returns", "app"}

	teamNames = []string{"שירות", "חיובים", "משלוחים", "תמיכה טכנית", "VIP"}
	reasons   = []kesher.Reason{
		{Code: "late_delivery", Name: "עיכוב במשלוח", Source: kesher.SourceDelivery},
		{Code: "double_charge", Name: "חיוב כפול", Source: kesher.SourceBilling},
		{Code: "damaged_item", Name: "מוצר פגום", Source: kesher.SourceProduct},
		{Code: "login", Name: "בעיית התחברות", Source: kesher.SourceWebsite},
		{Code: "invoice", Name: "חשבונית", Source: kesher.SourceBilling},
		{Code: "coupon", Name: "קופון", Source: kesher.SourceMarketing},
		{Code: "exchange", Name: "החלפה", Source: kesher.SourceStore},
		{Code: "other", Name: "אחר", Source: kesher.SourceOther},
	}

	// channelWeights make email, WhatsApp and chat the common channels.
	channelWeights = []struct {
		ch kesher.Channel
		w  int
	}{
		{kesher.ChannelEmail, 35}, {kesher.ChannelWhatsApp, 20}, {kesher.ChannelChat, 18}, {kesher.ChannelPhone, 12},
		{kesher.ChannelWeb, 7}, {kesher.ChannelTelegram, 5}, {kesher.ChannelAPI, 3},
	}
)
