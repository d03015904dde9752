package demo

import "kesher"

// tmpl is a customer's first message: a subject and a body. Placeholders in
// braces ({order}, {amount}, {product}, {date}, {days}, {coupon}, {due},
// {first}, {city}, {invoice}) are filled per conversation.
type tmpl struct{ subject, body string }

// reasonDef is a contact reason of the demo retailer with what customers
// write about it and how agents solve it, in Hebrew and English.
type reasonDef struct {
	code, name string
	source     kesher.Source
	team       string // team key the desk routes it to
	weight     int    // relative frequency
	urgent     bool   // leans towards high and urgent priority
	he, en     []tmpl
	// solveHe and solveEn are agents' replies that solve it; the reply
	// for the i-th first message is solve[i % len(solve)].
	solveHe, solveEn []string
}

var reasons = []reasonDef{
	{
		code: "double_charge", name: "חיוב כפול", source: kesher.SourceBilling, team: "billing", weight: 9, urgent: true,
		he: []tmpl{
			{"חויבתי פעמיים על הזמנה {order}", "שלום, חויבתי פעמיים על הזמנה {order} בסך {amount} ₪. ראיתי את שני החיובים באפליקציה של הבנק מתאריך {date}. אשמח שתבטלו אחד מהם בהקדם."},
			{"חיוב כפול בכרטיס האשראי", "היי, ביצעתי הזמנה אחת בלבד ({order}) אבל בכרטיס האשראי מופיעים שני חיובים של {amount} ₪. מה קורה פה?"},
			{"שני חיובים על אותה הזמנה", "ערב טוב, בזמן התשלום האתר נתקע ולחצתי שוב על 'לתשלום'. עכשיו יש לי שני חיובים על הזמנה {order}. מבקש/ת להחזיר את החיוב הכפול."},
			{"חיוב כפול – דחוף", "שלום, זו כבר הפנייה השנייה שלי. חויבתי פעמיים ב-{amount} ₪ והמסגרת שלי בכרטיס כמעט מלאה. אני צריך/ה תשובה היום."},
			{"חיוב נוסף בהוראת קבע", "שלום, במקום חיוב אחד על התשלומים של הזמנה {order} ירדו ממני החודש שני תשלומים. תוכלו לבדוק?"},
		},
		en: []tmpl{
			{"Charged twice for order {order}", "Hi, I was charged twice for order {order} ({amount} ILS each) on {date}. Please refund one of the charges."},
			{"Duplicate charge on my card", "Hello, I placed a single order but my credit card statement shows two identical charges of {amount} ILS. Can you look into it?"},
			{"Double payment after checkout froze", "The checkout page froze so I clicked Pay again. Now order {order} was paid twice. I'd like the duplicate refunded please."},
			{"Second complaint about a double charge", "This is the second time I'm writing about this. I was charged {amount} ILS twice and nobody got back to me. Please escalate."},
		},
		solveHe: []string{
			"שלום {first}, בדקתי מול מחלקת הכספים: החיוב הכפול על הזמנה {order} בוטל היום. הזיכוי בסך {amount} ₪ יופיע בכרטיס תוך 3–5 ימי עסקים. שלחתי אליך גם אישור ביטול במייל.",
			"{first}, מצאתי את שני החיובים. ביטלתי את השני ואני עוקב/ת אחרי הזיכוי: אעדכן אותך {due} שהכסף חזר.",
		},
		solveEn: []string{
			"Hi {first}, I checked with our finance team: the duplicate charge for order {order} was cancelled today. The {amount} ILS credit will show on your card within 3–5 business days, and I've emailed you the cancellation confirmation.",
			"{first}, you're right, there were two charges. I reversed the second one and I'll confirm with you {due} that the refund has arrived.",
		},
	},
	{
		code: "invoice_request", name: "בקשת חשבונית", source: kesher.SourceBilling, team: "billing", weight: 6,
		he: []tmpl{
			{"חשבונית מס להזמנה {order}", "שלום, לא קיבלתי חשבונית מס על הזמנה {order}. אני צריך/ה אותה עבור הנהלת החשבונות. תודה."},
			{"חשבונית על שם חברה", "היי, ביצעתי רכישה עבור העסק שלי. אפשר להוציא חשבונית על שם החברה עם ח.פ.? מספר הזמנה {order}."},
			{"החשבונית לא ברורה", "שלום, קיבלתי את החשבונית אבל לא ברור לי מה זה הסעיף 'דמי טיפול' בסך 29 ₪. לא ראיתי את זה באתר כשהזמנתי."},
			{"חשבונית מרוכזת לשנה", "בוקר טוב, אפשר לקבל חשבונית מרוכזת של כל הרכישות שלי מהשנה האחרונה? אני צריך/ה את זה לרואה החשבון עד סוף החודש."},
		},
		en: []tmpl{
			{"Tax invoice for order {order}", "Hello, I didn't receive a tax invoice for order {order}. Could you send it to this address?"},
			{"Invoice in company name", "Hi, I bought this for my company. Can you issue the invoice with our company name and registration number?"},
			{"Unclear line on my invoice", "My invoice for order {order} has a 'handling fee' of 29 ILS that wasn't shown at checkout. What is it?"},
			{"Yearly invoice summary", "Could I get a summary invoice of all my purchases this year? My accountant needs it."},
		},
		solveHe: []string{
			"שלום {first}, צירפתי כאן את חשבונית המס להזמנה {order} (מספר {invoice}). היא זמינה גם בחשבון שלך באתר, תחת 'ההזמנות שלי'.",
			"{first}, הוצאתי חשבונית חדשה על שם החברה ושלחתי אותה למייל.",
			"שלום {first}, צדקת: דמי הטיפול לא הוצגו בקופה ולא היו אמורים להופיע. ביטלתי אותם, זיכיתי 29 ₪ ושלחתי חשבונית מתוקנת.",
			"{first}, הכנתי ריכוז של כל החשבוניות מהשנה האחרונה ושלחתי אותו למייל כקובץ PDF אחד.",
		},
		solveEn: []string{
			"Hi {first}, the tax invoice for order {order} (no. {invoice}) is attached. You can also download it any time under 'My orders' on the site.",
			"{first}, I issued a new invoice in the company's name and emailed it to you.",
			"Hi {first}, you're right: the handling fee wasn't shown at checkout and shouldn't be there. I removed it, refunded 29 ILS and sent a corrected invoice.",
			"{first}, I've put together all of this year's invoices and emailed them to you as one PDF.",
		},
	},
	{
		code: "late_delivery", name: "משלוח מאחר", source: kesher.SourceDelivery, team: "delivery", weight: 16,
		he: []tmpl{
			{"איפה ההזמנה שלי? {order}", "שלום, הזמנתי ב-{date} {product} (הזמנה {order}) והבטיחו משלוח תוך 5 ימי עסקים. עברו כבר {days} ימים ולא קיבלתי כלום."},
			{"המשלוח תקוע כבר שבוע", "היי, מספר המעקב של הזמנה {order} מראה 'בדרך למרכז הפצה' כבר שבוע. אני ב{city}. מתי זה יגיע?"},
			{"השליח לא הגיע", "קבעו לי משלוח להיום בין 8 ל-12, חיכיתי בבית כל הבוקר והשליח לא הגיע ולא התקשר. הזמנה {order}."},
			{"הזמנה למתנה – חייבת להגיע עד שישי", "שלום, הזמנתי {product} כמתנת יום הולדת לשישי הקרוב. ההזמנה עדיין לא נשלחה. אפשר לזרז?"},
			{"עיכוב במשלוח", "שלום, {days} ימים מאז ההזמנה ואין שום עדכון. ניסיתי להתקשר לחברת השליחויות ואמרו לי לפנות אליכם."},
		},
		en: []tmpl{
			{"Where is my order {order}?", "Hi, my order from {date} ({product}) was promised delivery within 5 business days. It's been {days} days and nothing has arrived."},
			{"Tracking hasn't moved for a week", "The tracking for order {order} has said 'on its way to the distribution centre' for a week. I live in {city}. When will it arrive?"},
			{"Courier never showed up", "My delivery was scheduled for this morning between 8 and 12. I waited at home and the courier never came or called. Order {order}."},
			{"Gift order must arrive by Friday", "My order {order} ({product}) is a birthday present for this Friday and it still hasn't shipped. Can you speed it up?"},
		},
		solveHe: []string{
			"שלום {first}, בדקתי מול חברת השליחויות: החבילה של הזמנה {order} נתקעה במרכז ההפצה. העברתי אותה לשליח ייעודי והיא תגיע אליך {due}. זיכיתי אותך בדמי המשלוח.",
			"{first}, ההזמנה יצאה היום עם שליח אקספרס. הנה מספר המעקב החדש: IL{invoice}. אתקשר אלייך {due} לוודא שהיא הגיעה.",
		},
		solveEn: []string{
			"Hi {first}, I checked with the courier: the parcel for order {order} was stuck at the depot. I moved it to a dedicated courier and it will reach you {due}. I've also refunded the delivery fee.",
			"{first}, your order left today by express courier, new tracking number IL{invoice}. I'll check in with you {due} to make sure it arrived.",
		},
	},
	{
		code: "wrong_item", name: "פריט שגוי במשלוח", source: kesher.SourceDelivery, team: "delivery", weight: 7,
		he: []tmpl{
			{"קיבלתי מוצר אחר ממה שהזמנתי", "שלום, הזמנתי {product} וקיבלתי בקופסה משהו אחר לגמרי. הזמנה {order}. מה עושים?"},
			{"צבע שגוי", "היי, הזמנתי בצבע אפור וקיבלתי לבן. זה לא מתאים לי. הזמנה {order}, אשמח להחלפה."},
			{"חסר פריט בהזמנה", "שלום, ההזמנה {order} הגיעה אבל חסר בה פריט אחד מתוך שלושה. בחשבונית הוא מופיע וחויבתי עליו."},
			{"מידה לא נכונה", "קיבלתי מזרן 140x190 במקום 160x200 שהזמנתי. אני לא יכול/ה להשתמש בו. מבקש/ת החלפה ואיסוף."},
		},
		en: []tmpl{
			{"Received the wrong item", "Hi, I ordered this: {product}. The box contained something completely different. Order {order}. What now?"},
			{"Wrong colour delivered", "I ordered the grey one and got white. Could you exchange it? Order {order}."},
			{"Item missing from my order", "Order {order} arrived with only two of the three items, but I was charged for all three."},
		},
		solveHe: []string{
			"שלום {first}, מתנצלים על הטעות. תיאמתי שליח שיאסוף את הפריט השגוי וימסור את המוצר הנכון ({product}) באותו ביקור, {due}. אין צורך לארוז מחדש.",
			"שלום {first}, תיאמתי החלפה: השליח יביא את הפריט בצבע שהזמנת ויאסוף את הלבן {due}.",
			"{first}, הפריט החסר נשלח אלייך היום ויגיע {due}. בדקתי במחסן – הוא נשכח באריזה. תודה על הסבלנות.",
			"שלום {first}, המזרן במידה הנכונה יגיע {due}, והשליח ייקח איתו את המזרן שהגיע בטעות.",
		},
		solveEn: []string{
			"Hi {first}, sorry for the mix-up. A courier will collect the wrong item and hand you the correct {product} in the same visit, {due}. No need to repack it.",
			"Hi {first}, the grey one is on its way; the courier will swap it for the white one {due}.",
			"{first}, the missing item shipped today and will arrive {due}. Our warehouse confirmed it was left out when packing.",
		},
	},
	{
		code: "coupon_not_working", name: "קופון מבצע לא עובד", source: kesher.SourceMarketing, team: "service", weight: 7,
		he: []tmpl{
			{"הקופון {coupon} לא עובד", "שלום, קיבלתי במייל קופון {coupon} ל-{pct}% הנחה אבל באתר כתוב 'קוד לא תקף'. המבצע אמור להיות בתוקף עד סוף השבוע."},
			{"ההנחה מהפרסומת לא מתקבלת", "ראיתי באינסטגרם מבצע של {pct}% על כל מוצרי המטבח. ניסיתי לקנות {product} וההנחה לא ירדה בסל."},
			{"קופון חבר מביא חבר", "היי, חבר שלח לי קוד הזמנה והוא לא מתקבל בקופה. זה בגלל שכבר הזמנתי פעם בעבר?"},
			{"המבצע לא תואם את המחיר בקופה", "שלום, בקמפיין כתוב 'שני מוצרים ב-{amount} ₪' אבל בקופה אני משלם/ת את המחיר המלא. זה מטעה."},
		},
		en: []tmpl{
			{"Coupon {coupon} not accepted", "Hi, the newsletter gave me coupon {coupon} for {pct}% off, but checkout says 'invalid code'. It should be valid until the end of the week."},
			{"Ad discount not applied", "I saw your ad for {pct}% off all kitchen products, but the discount isn't applied to the {product} in my basket."},
			{"Campaign price differs at checkout", "Your campaign says two for {amount} ILS but checkout charges full price for both. That's misleading."},
		},
		solveHe: []string{
			"שלום {first}, הקופון הוגדר בטעות רק למוצרים מסוימים. העברתי את זה לצוות השיווק, ובינתיים עדכנתי את ההזמנה שלך ידנית עם {pct}% הנחה.",
			"{first}, צדקת – תנאי המבצע לא הוצגו כמו שצריך. פתחתי לך קוד אישי {coupon}X שתקף עד סוף החודש.",
		},
		solveEn: []string{
			"Hi {first}, the coupon was set up for only part of the catalogue by mistake. I've reported it to marketing and applied the {pct}% discount to your order manually.",
			"{first}, you're right, the campaign terms weren't shown clearly. Here is a personal code, {coupon}X, valid until the end of the month.",
		},
	},
	{
		code: "checkout_error", name: "תקלה בתשלום באתר", source: kesher.SourceWebsite, team: "service", weight: 6,
		he: []tmpl{
			{"שגיאה בעמוד התשלום", "שלום, אני מנסה לשלם על {product} ומקבל/ת 'שגיאה 500' אחרי הזנת פרטי האשראי. ניסיתי כבר שלוש פעמים."},
			{"לא מצליח/ה להשלים הזמנה", "האתר לא מאפשר לי לבחור משלוח ל{city}, הכפתור אפור. בגלל זה אני לא יכול/ה לסיים את ההזמנה."},
			{"ביט לא עובד באתר", "ניסיתי לשלם בביט וחזרתי לאתר עם הודעה שהתשלום נכשל, אבל בביט רואים שהכסף ירד. מה קרה?"},
			{"האתר לא נטען בטלפון", "מהנייד עמוד הקופה פשוט לבן. מהמחשב זה עובד. רציתי להזמין עכשיו בזמן המבצע."},
		},
		en: []tmpl{
			{"Error at checkout", "I'm trying to pay for my basket ({product}) and get 'Error 500' after entering my card details. Tried three times."},
			{"Cannot choose delivery option", "The site won't let me select delivery to {city}; the button is greyed out, so I can't finish my order."},
			{"Checkout page blank on mobile", "On my phone the checkout page is blank. It works on my laptop, but I'd like to order now while the sale is on."},
		},
		solveHe: []string{
			"שלום {first}, הייתה תקלה זמנית בספק הסליקה ועכשיו היא תוקנה. השארתי לך את הסל שמור עם אותו מחיר, אפשר להשלים את ההזמנה.",
			"שלום {first}, הייתה תקלה בבחירת אזורי המשלוח והיא תוקנה. אפשר להשלים את ההזמנה, והמחיר בסל נשמר.",
			"{first}, התשלום בביט לא נקלט אצלנו ולכן הוא יבוטל אוטומטית תוך 24 שעות. פתחתי עבורך את ההזמנה ידנית במחיר המבצע – מספרה {order}.",
			"שלום {first}, תיקנו את עמוד הקופה בנייד. כדי שלא תפספס/י את המבצע, שמרתי לך את המחיר עד מחר בערב.",
		},
		solveEn: []string{
			"Hi {first}, our payment provider had a temporary fault, which is fixed now. Your basket is saved at the same price, so you can complete the order.",
			"Hi {first}, delivery areas were misconfigured for a few hours; that's fixed, and your basket kept its price.",
			"Hi {first}, the mobile checkout page is fixed. So you don't miss the sale, I've held the price for you until tomorrow evening.",
		},
	},
	{
		code: "price_mismatch_website_store", name: "פער מחיר בין האתר לחנות", source: kesher.SourceStore, team: "service", weight: 5,
		he: []tmpl{
			{"המחיר בחנות שונה מהאתר", "שלום, היום הייתי בסניף {city}, ושם {product} עולה {amount} ₪. באתר אותו דגם זול ב-150 ₪. למה יש הבדל?"},
			{"קניתי בחנות ביוקר", "קניתי אתמול בחנות ומצאתי באתר את אותו מוצר במחיר נמוך יותר. אתם מחזירים את ההפרש?"},
			{"החנות לא מכבדת את מחיר האתר", "המוכר בסניף אמר שמחירי האתר לא תקפים בחנות. לא כתוב את זה בשום מקום באתר."},
		},
		en: []tmpl{
			{"Store price higher than website", "At your {city} store the {product} was {amount} ILS, but it's 150 ILS cheaper online. Why the difference?"},
			{"Refund the price difference?", "I bought this in the store yesterday and found it cheaper on your website. Do you refund the difference?"},
		},
		solveHe: []string{
			"שלום {first}, לפי מדיניות התאמת המחיר שלנו אנחנו מחזירים את ההפרש תוך 14 יום. זיכיתי את הכרטיס שלך בהפרש, והעברתי את הפער בין המחירים לבדיקת מנהל הסניפים.",
			"{first}, בדקתי – המחיר באתר הוא מבצע אונליין. סידרתי עם סניף {city} שיכבדו אותו עבורך, אפשר להגיע עם מספר הפנייה הזה.",
		},
		solveEn: []string{
			"Hi {first}, under our price-match policy we refund the difference within 14 days. I've credited your card and passed the price gap on to our stores manager.",
			"{first}, the website price is an online promotion. I've arranged with the {city} store to honour it for you; just quote this ticket number.",
		},
	},
	{
		code: "return_policy", name: "מדיניות החזרות", source: kesher.SourceStore, team: "service", weight: 7,
		he: []tmpl{
			{"החזרת מוצר שנפתח", "שלום, קניתי {product} ופתחתי את האריזה, אבל הוא לא מתאים לי. אפשר להחזיר אותו? עברו {days} ימים."},
			{"החזרה בסניף של הזמנה מהאתר", "האם אפשר להחזיר בסניף {city} מוצר שהוזמן באתר? לא מצאתי תשובה ברורה במדיניות."},
			{"דמי ביטול", "רציתי לבטל את הזמנה {order} ואמרו לי שיורידו 5% דמי ביטול. למה? המוצר עוד לא נשלח אליי."},
			{"זיכוי במקום החזר כספי", "בחנות נתנו לי רק זיכוי ולא החזר לכרטיס. לפי החוק מגיע לי החזר כספי, לא?"},
		},
		en: []tmpl{
			{"Returning an opened product", "I bought the {product} and opened the box, but it doesn't suit me. Can I still return it? It's been {days} days."},
			{"Return an online order in store?", "Can I return an online order at the {city} store? The policy page isn't clear about it."},
			{"Cancellation fee", "I cancelled order {order} before it shipped and was told there's a 5% fee. Why?"},
		},
		solveHe: []string{
			"שלום {first}, אפשר להחזיר מוצר שנפתח תוך 14 יום, כל עוד הוא שלם ובאריזתו. פתחתי לך בקשת איסוף ל{due}, וההחזר הכספי יבוצע לכרטיס עם קבלת המוצר.",
			"שלום {first}, כן – אפשר להחזיר בכל סניף הזמנה מהאתר, עם מספר ההזמנה. עדכנתי גם את עמוד המדיניות כדי שזה יהיה ברור.",
			"{first}, ההזמנה לא נשלחה ולכן ביטלתי אותה ללא דמי ביטול. ההחזר המלא, {amount} ₪, יופיע בכרטיס תוך כמה ימי עסקים.",
			"שלום {first}, צדקת, מגיע לך החזר כספי ולא זיכוי. ביטלתי את הזיכוי והחזרתי {amount} ₪ לכרטיס.",
		},
		solveEn: []string{
			"Hi {first}, opened products can be returned within 14 days if complete and in their box. I've booked a pickup for {due}, and the refund goes to your card when we receive it.",
			"Hi {first}, yes, any store accepts returns of online orders with the order number. I've asked for the policy page to say so clearly.",
			"{first}, since the order hadn't shipped I cancelled it with no fee. The full {amount} ILS refund will show on your card within a few business days.",
		},
	},
	{
		code: "defective_product", name: "מוצר פגום", source: kesher.SourceProduct, team: "service", weight: 9,
		he: []tmpl{
			{"המוצר הגיע שבור – {product}", "שלום, המוצר שהזמנתי ({product}, הזמנה {order}) הגיע עם סדק בצד. צירפתי תמונות. מה עושים עכשיו?"},
			{"המוצר הפסיק לעבוד", "קניתי {product} לפני חודשיים, ופתאום המכשיר הפסיק לעבוד. לא נדלק בכלל. זה באחריות?"},
			{"תקלה חוזרת אחרי תיקון", "זו הפעם השלישית שהמכשיר ({product}) חוזר מהמעבדה עם אותה תקלה. אני רוצה מוצר חדש, לא עוד תיקון."},
			{"רעש חזק מהמכשיר", "מהיום הראשון המכשיר ({product}) עושה רעש חזק של חריקה. זה נורמלי?"},
			{"חלק חסר באריזה", "פתחתי את הקופסה ({product}) וחסר בה המטען. בלי זה אי אפשר להשתמש במוצר."},
		},
		en: []tmpl{
			{"My {product} arrived broken", "The {product} from order {order} arrived with a crack on the side. Photos attached. What now?"},
			{"Product stopped working", "I bought my {product} two months ago and it just stopped working, won't switch on at all. Is it under warranty?"},
			{"Same fault after repair", "This is the third time the {product} came back from repair with the same fault. I want a replacement, not another repair."},
			{"Loud noise from the device", "Since day one the {product} makes a loud grinding noise. Is that normal?"},
		},
		solveHe: []string{
			"שלום {first}, מצטערים מאוד. אישרתי החלפה במוצר חדש: שליח יביא מוצר חדש ({product}) ויאסוף את הפגום {due}.",
			"{first}, המוצר באחריות. תיאמתי איסוף למעבדת היבואן, ואם התיקון ייקח יותר מ-7 ימים נשלח לך מוצר חלופי. אעדכן אותך {due}.",
		},
		solveEn: []string{
			"Hi {first}, I'm very sorry. I approved a replacement: a courier will bring the new {product} and collect the faulty one {due}.",
			"{first}, it's under warranty. I've arranged a pickup to the importer's lab, and if the repair takes more than 7 days we'll send you a loan unit. I'll update you {due}.",
		},
	},
	{
		code: "product_question", name: "שאלה על מוצר", source: kesher.SourceProduct, team: "service", weight: 8,
		he: []tmpl{
			{"שאלה לפני קנייה: {product}", "שלום, אני מתלבט/ת לגבי {product}. זה מתאים לדירה של 4 חדרים? ומה תקופת האחריות?"},
			{"האם יש במלאי?", "היי, באתר כתוב 'אזל מהמלאי' ליד {product} כבר שבועיים. יודעים מתי יהיה שוב?"},
			{"הוראות הפעלה בעברית", "קניתי {product} וההוראות רק באנגלית ובסינית. יש לכם חוברת בעברית?"},
			{"התאמה לחשמל בישראל", "הזמנתי מהאתר {product} – זה מגיע עם תקע ישראלי או שאני צריך/ה מתאם?"},
		},
		en: []tmpl{
			{"Question about the {product}", "Hi, I'm considering the {product}. Is it suitable for a 4-room flat, and how long is the warranty?"},
			{"Back in stock?", "The {product} has been out of stock for two weeks. Do you know when it's coming back?"},
			{"Manual in English", "I bought the {product} and the manual is only in Hebrew and Chinese. Is there an English version?"},
			{"Plug type", "Does the {product} come with an Israeli plug, or will I need an adapter?"},
		},
		solveHe: []string{
			"שלום {first}, לדגם הזה ({product}) יש אחריות יבואן רשמי לשנתיים, והוא מתאים לדירה בגודל הזה. צירפתי קישור למדריך המלא באתר.",
			"{first}, המלאי צפוי להגיע {due}. הוספתי אותך לרשימת ההתראות, ותקבל/י הודעה ברגע שהמוצר יחזור.",
			"שלום {first}, שלחתי לך למייל את חוברת ההפעלה בעברית מאתר היבואן.",
			"{first}, כל המוצרים באתר מיועדים לישראל ומגיעים עם תקע ישראלי תקני. אין צורך במתאם.",
		},
		solveEn: []string{
			"Hi {first}, the {product} has a two-year official importer warranty and suits a flat that size. I've linked the full guide on our site.",
			"{first}, new stock is expected {due}. I've added you to the alert list so you'll hear from us the moment it's back.",
			"Hi {first}, I've emailed you the English manual from the importer's site.",
			"{first}, everything on our site is made for Israel and comes with a standard Israeli plug, so no adapter is needed.",
		},
	},
	{
		code: "rude_service", name: "יחס לא נאות מנציג", source: kesher.SourceService, team: "service", weight: 3, urgent: true,
		he: []tmpl{
			{"יחס מזלזל בשיחה עם נציג", "שלום, התקשרתי אתמול בנוגע להזמנה {order} והנציג דיבר אליי בחוסר סבלנות וניתק באמצע. אני מצפה ליחס אחר."},
			{"העבירו אותי בין 4 נציגים", "ניסיתי לפתור בעיה פשוטה והעבירו אותי בין ארבעה נציגים שונים. כל אחד ביקש שאספר מההתחלה. זה מתיש."},
			{"'זה לא התפקיד שלי'", "נציגה בצ'אט אמרה לי 'זה לא התפקיד שלי, תפנה למחלקה אחרת'. אז למי כן לפנות?"},
		},
		en: []tmpl{
			{"Rude agent on the phone", "I called yesterday about order {order} and the agent was impatient and hung up on me. I expect better."},
			{"Passed between four agents", "I was passed between four different agents and had to repeat my story every time. It's exhausting."},
		},
		solveHe: []string{
			"שלום {first}, אני ראש הצוות ואני מתנצל/ת על החוויה. אני לוקח/ת את הפנייה באופן אישי: הבעיה בהזמנה {order} טופלה, ושוחחתי עם הנציג. אתקשר אלייך {due} לוודא שהכול בסדר.",
		},
		solveEn: []string{
			"Hi {first}, I lead the service team and I apologise for that experience. I'm handling this personally: the issue with order {order} is fixed and I've spoken with the agent. I'll call you {due} to make sure everything is fine.",
		},
	},
	{
		code: "callback_missed", name: "לא חזרו אליי כמובטח", source: kesher.SourceService, team: "service", weight: 3,
		he: []tmpl{
			{"הבטיחו לחזור אליי ולא חזרו", "שלום, ביום ראשון הבטיחו לי שיחזרו אליי תוך יומיים לגבי הזמנה {order}. אף אחד לא חזר."},
			{"עדיין מחכה לתשובה", "פניתי לפני {days} ימים ואמרו 'נבדוק ונחזור אלייך'. מאז שקט. אשמח לדעת מה קורה."},
		},
		en: []tmpl{
			{"Promised a call back, never got one", "On Sunday I was promised a call back within two days about order {order}. Nobody called."},
			{"Still waiting for an answer", "I contacted you {days} days ago and was told someone would get back to me. Nothing since."},
		},
		solveHe: []string{
			"שלום {first}, אני מתנצל/ת שלא חזרנו כמו שהבטחנו. בדקתי עכשיו: ההזמנה {order} יוצאת היום, ואני אשלח לך את מספר המעקב עד 16:00.",
		},
		solveEn: []string{
			"Hi {first}, I'm sorry we didn't call back as promised. I've checked: order {order} ships today, and I'll send you the tracking number by 4 pm.",
		},
	},
	{
		code: "other", name: "אחר", source: kesher.SourceOther, team: "service", weight: 4,
		he: []tmpl{
			{"שינוי כתובת למשלוח", "שלום, עברתי דירה. אפשר לעדכן את הכתובת בהזמנה {order} ל{city}?"},
			{"מחיקת חשבון", "אבקש למחוק את החשבון שלי באתר ואת הפרטים האישיים שלי."},
			{"הצעת שיתוף פעולה", "שלום, אני בעל/ת עסק לעיצוב פנים ב{city} ואשמח לדבר על הנחת סיטונאי."},
			{"מחמאה לנציגה", "רציתי רק להגיד תודה לנציגה שעזרה לי בשבוע שעבר. שירות מעולה!"},
		},
		en: []tmpl{
			{"Change delivery address", "I've moved. Can you change the address on order {order} to {city}?"},
			{"Delete my account", "Please delete my account and my personal data."},
			{"Thank you", "Just wanted to thank the agent who helped me last week. Great service!"},
		},
		solveHe: []string{
			"שלום {first}, עדכנתי את הפרטים כפי שביקשת. תודה שפנית אלינו!",
			"שלום {first}, מחקנו את החשבון ואת הפרטים האישיים שלך. נשמור רק את החשבוניות, כנדרש בחוק.",
			"{first}, תודה רבה על הפנייה. העברתי אותה למנהלת המכירות העסקיות, והיא תחזור אלייך {due}.",
			"{first}, איזה כיף לשמוע! העברתי את המחמאה לנציגה ולמנהל שלה.",
		},
		solveEn: []string{
			"Hi {first}, I've updated the details as you asked. Thanks for getting in touch!",
			"Hi {first}, your account and personal data are deleted; we keep only invoices, as the law requires.",
			"{first}, thank you so much! I've passed your kind words to the agent and her manager.",
		},
	},
}

// Agents' first replies when they need more before they can solve it.
var (
	askHe = []string{
		"שלום {first}, תודה שפנית. כדי לבדוק את זה אני צריך/ה את מספר ההזמנה ואת 4 הספרות האחרונות של הכרטיס.",
		"היי {first}, קיבלתי ואני מטפל/ת בזה. אפשר לשלוח תמונה של המוצר ושל המדבקה על האריזה?",
		"שלום {first}, אני בודק/ת מול המחסן ואחזור אלייך {due} עם תשובה.",
		"{first}, תודה על הסבלנות. באיזה מספר טלפון נוח לך שנחזור אלייך?",
		"שלום {first}, אני על זה. רק לוודא – הכתובת למשלוח היא עדיין ב{city}?",
	}
	askEn = []string{
		"Hi {first}, thanks for reaching out. To check this I need the order number and the last 4 digits of the card.",
		"Hi {first}, I've got this. Could you send a photo of the product and the label on the box?",
		"Hello {first}, I'm checking with the warehouse and will get back to you {due}.",
		"{first}, thanks for your patience. Which phone number is best to reach you on?",
	}
	// Customers' answers and follow-ups.
	custHe = []string{
		"מספר ההזמנה {order}, הכרטיס מסתיים ב-4471.",
		"שלחתי תמונות עכשיו. תודה.",
		"יש עדכון? עבר כבר יום.",
		"כן, הכתובת לא השתנתה.",
		"אפשר להתקשר ל-050-5550123 אחרי 17:00.",
		"אוקיי, מחכה לעדכון.",
		"זה ממש לא בסדר, אני מחכה כבר יותר מדי זמן.",
	}
	custEn = []string{
		"The order number is {order}, card ending 4471.",
		"Photos sent just now. Thanks.",
		"Any update? It's been a day.",
		"Yes, same address.",
		"OK, waiting to hear from you.",
		"This isn't OK, I've been waiting far too long.",
	}
	thanksHe = []string{"תודה רבה, קיבלתי!", "מעולה, הכול הסתדר. תודה!", "תודה על הטיפול המהיר.", "הגיע היום, תודה."}
	thanksEn = []string{"Thank you, got it!", "Great, all sorted. Thanks!", "Thanks for the quick help.", "It arrived today, thanks."}
	// Agents' replies that leave the conversation waiting on the customer.
	pendingHe = []string{
		"{first}, שלחתי לך טופס החזרה למייל. ברגע שתמלא/י אותו אוכל להמשיך.",
		"{first}, אני מחכה לאישור שלך: להחליף את המוצר או לזכות אותך?",
		"שלום {first}, אשמח לקבל צילום של החשבונית מהסניף כדי להשלים את הבדיקה.",
	}
	pendingEn = []string{
		"{first}, I've emailed you a return form. As soon as it's filled in I can go ahead.",
		"{first}, would you prefer a replacement or a refund? I'll proceed once you tell me.",
		"Hi {first}, could you send a photo of the store receipt so I can finish checking?",
	}
	// Internal notes (agents write them in Hebrew or English).
	notesHe = []string{
		"בדקתי במערכת ההזמנות: ההזמנה {order} סומנה כנשלחה אבל אין סריקה של השליח.",
		"לקוח/ה חוזר/ת, פנייה שלישית החודש. לשים לב לטון.",
		"מחכה לתשובה ממחלקת הכספים לגבי הזיכוי.",
		"דיברתי עם המחסן, הם בודקים את המלאי ומחזירים תשובה מחר.",
		"אישור מנהל לזיכוי של {amount} ₪ התקבל.",
	}
	notesEn = []string{
		"Checked the order system: order {order} is marked shipped but the courier has no scan.",
		"Repeat customer, third contact this month. Mind the tone.",
		"Waiting for finance to confirm the refund.",
		"Manager approved a {amount} ILS credit.",
	}
	// Notes that put a conversation on hold, waiting on someone else.
	holdHe = []string{
		"ממתין לתשובת חברת השליחויות – פתחתי אצלם תקלה מספר {invoice}.",
		"ממתין ליבואן: המוצר במעבדה, צפי תשובה {due}.",
		"ממתין לאישור הנהלת חשבונות להחזר.",
	}
	holdEn = []string{
		"Waiting for the courier company, their case {invoice}.",
		"Waiting for the importer's lab; answer expected {due}.",
		"Waiting for accounting to approve the refund.",
	}
	// Briefings for a warm hand-off (P2): what the customer needs, what was
	// tried, what was promised.
	briefingsHe = []string{
		"הלקוח/ה צריך/ה זיכוי על הזמנה {order} ({amount} ₪). בדקתי – החיוב אכן כפול. הבטחתי עדכון {due}. מעבירים לצוות החיובים שיבצע את הזיכוי.",
		"החבילה תקועה אצל השליח. פתחתי תקלה מול חברת השליחויות ({invoice}). הלקוח/ה כבר פנה/תה פעמיים – בבקשה לא לבקש ממנו/ה לספר שוב.",
		"לקוח/ה VIP, מבקש/ת החלפת מוצר פגום. המחסן אישר מלאי. נשאר לתאם איסוף ומסירה.",
		"המשמרת שלי נגמרת. כל הפרטים בהערות: צריך להתקשר ללקוח/ה {due} עם תשובה מהמעבדה.",
		"הלקוח/ה ביקש/ה להסלים. סיכום: המוצר הגיע פגום, ההחלפה הראשונה גם פגומה. הבטחנו החזר מלא אם זה לא יסתדר {due}.",
	}
	briefingsEn = []string{
		"Customer needs a refund on order {order} ({amount} ILS); the double charge is confirmed. I promised an update {due}. Passing to billing to issue the credit.",
		"Parcel stuck with the courier; case {invoice} opened with them. The customer has contacted us twice already, please don't make them repeat the story.",
		"VIP customer, replacement for a faulty product. Warehouse confirmed stock; pickup and delivery still to be arranged.",
		"Going off shift. All details are in the notes: call the customer {due} with the lab's answer.",
	}
)

// Products the retailer sells.
var (
	productsHe = []string{
		"מכונת קפה אוטומטית", "שואב אבק רובוטי", "אוזניות אלחוטיות", "מיקסר מקצועי", "מזרן אורתופדי 160x200",
		"טלוויזיה 55 אינץ'", "מאוורר תקרה", "סט סירים נירוסטה", "כיסא משרדי ארגונומי", "מקרר 4 דלתות",
		"מכונת כביסה 8 ק\"ג", "מייבש כביסה", "בלנדר", "מטהר אוויר", "סיר לחץ חשמלי", "ספה תלת-מושבית",
	}
	productsEn = []string{
		"espresso machine", "robot vacuum", "wireless headphones", "stand mixer", "orthopaedic mattress",
		"55-inch TV", "ceiling fan", "stainless cookware set", "ergonomic office chair", "French-door fridge",
		"8 kg washing machine", "tumble dryer", "blender", "air purifier", "electric pressure cooker",
	}
	citiesHe = []string{"תל אביב", "ירושלים", "חיפה", "באר שבע", "ראשון לציון", "פתח תקווה", "נתניה", "אשדוד", "חולון", "רמת גן", "כפר סבא", "מודיעין", "נצרת", "אילת"}
	citiesEn = []string{"Tel Aviv", "Jerusalem", "Haifa", "Beersheba", "Rishon LeZion", "Petah Tikva", "Netanya", "Ashdod", "Ra'anana", "Modiin"}
	coupons  = []string{"WINTER25", "SALE15", "KITCHEN20", "BLACK30", "HOME10", "VIP40"}
	// Hebrew weekdays, Sunday first, for commitments ("ביום חמישי").
	weekdaysHe = []string{"ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת"}
)

// Tags the demo desk uses, in both languages as agents would.
const (
	tagVIP     = "vip"
	tagRepeat  = "חוזר"
	tagRefund  = "refund"
	tagExpress = "urgent-shipping"
	tagCampain = "קמפיין-חורף"
	tagB2B     = "עסקי"
)
