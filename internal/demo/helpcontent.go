package demo

// The demo retailer's knowledge base: the help centre's categories and
// sections, its public articles in Hebrew and English, and the agents'
// internal procedures. The policies are the ones the demo's agents apply
// in its conversations: delivery within 5 business days, free delivery
// from 300 ₪, returns within 14 days, refunds to the card within 3–5
// business days.

// helpCategory is a category of the demo's knowledge base with its
// sections, by key.
type helpCategory struct {
	key            string
	nameHe, nameEn string
	descHe, descEn string
	sections       []helpSection
}

type helpSection struct {
	key            string
	nameHe, nameEn string
}

// helpTopic is one article in its languages; en is nil for a Hebrew-only
// one. Internal topics are the agents'; drafts are not published yet.
type helpTopic struct {
	section  string
	internal bool
	draft    bool
	he, en   *helpText
}

type helpText struct{ title, slug, summary, body string }

var helpCategories = []helpCategory{
	{key: "ordering", nameHe: "הזמנות", nameEn: "Ordering",
		descHe: "איך מזמינים, עוקבים אחרי הזמנה, משנים או מבטלים אותה.", descEn: "Placing, tracking, changing and cancelling orders.",
		sections: []helpSection{{"ordering-placing", "ביצוע הזמנה", "Placing an order"}, {"ordering-changes", "שינוי וביטול", "Changes and cancellations"}}},
	{key: "delivery", nameHe: "משלוחים", nameEn: "Delivery",
		descHe: "זמני משלוח, עלויות, התקנה ומה עושים כשמשהו משתבש.", descEn: "Delivery times, costs, installation, and what to do when something goes wrong.",
		sections: []helpSection{{"delivery-times", "זמני משלוח ועלויות", "Delivery times and costs"}, {"delivery-problems", "בעיות במשלוח", "Delivery problems"}}},
	{key: "returns", nameHe: "החזרות וזיכויים", nameEn: "Returns and refunds",
		descHe: "מדיניות ההחזרות, איך מחזירים מוצר ומתי מקבלים את הכסף בחזרה.", descEn: "Our return policy, how to return a product and when your money comes back.",
		sections: []helpSection{{"returns-policy", "מדיניות החזרות", "Return policy"}, {"returns-refunds", "החזר כספי ואחריות", "Refunds and warranty"}}},
	{key: "payments", nameHe: "תשלומים וחשבוניות", nameEn: "Payments and invoices",
		descHe: "אמצעי תשלום, תשלומים, קופונים וחשבוניות מס.", descEn: "Payment methods, instalments, coupons and tax invoices.",
		sections: []helpSection{{"payments-paying", "תשלום", "Paying"}, {"payments-invoices", "חשבוניות", "Invoices"}}},
	{key: "account", nameHe: "החשבון שלי", nameEn: "My account",
		descHe: "כניסה לאתר, סיסמה, פרטים אישיים ודיוור.", descEn: "Signing in, passwords, personal details and newsletters.",
		sections: []helpSection{{"account-signin", "כניסה וסיסמה", "Signing in and passwords"}, {"account-details", "פרטים אישיים", "Personal details"}}},
	{key: "procedures", nameHe: "נהלים לנציגים", nameEn: "Agent procedures",
		descHe: "נהלים פנימיים של מוקד השירות.", descEn: "The service team's internal procedures.",
		sections: []helpSection{{"procedures-service", "נהלי שירות", "Service procedures"}}},
}

var helpTopics = []helpTopic{
	// Ordering.
	{section: "ordering-placing",
		he: &helpText{"איך מבצעים הזמנה באתר", "", "ארבעה צעדים מהסל ועד אישור ההזמנה במייל.", `מזמינים באתר בארבעה צעדים:

1. מוסיפים את המוצרים לסל הקניות.
2. בסל בוחרים משלוח עד הבית או איסוף עצמי מסניף.
3. ממלאים כתובת, טלפון ופרטי תשלום.
4. בודקים את הסיכום ולוחצים **לתשלום**.

מיד אחרי התשלום נשלח אליכם מייל עם מספר ההזמנה (שמתחיל ב-NH) ומועד המשלוח המשוער. אם המייל לא הגיע תוך כמה דקות, כדאי לבדוק בתיבת הספאם.

## הזמנה בטלפון
מעדיפים להזמין בטלפון? נציגי המכירות זמינים בימים א׳–ה׳ בין 8:00 ל-17:00 ובימי ו׳ עד 13:00.`},
		en: &helpText{"How to place an order", "", "Four steps from your basket to the confirmation email.", `Ordering on our website takes four steps:

1. Add the products to your basket.
2. In the basket, choose home delivery or collection from a store.
3. Enter your address, phone number and payment details.
4. Check the summary and click **Pay**.

Right after payment we email you the order number (it starts with NH) and the estimated delivery date. If the email hasn't arrived within a few minutes, check your spam folder.

## Ordering by phone
Prefer to order by phone? Our sales team is available Sunday to Thursday 8:00–17:00 and on Friday until 13:00.`}},
	{section: "ordering-placing",
		he: &helpText{"מעקב אחרי הזמנה", "", "איפה רואים את מצב ההזמנה ומספר המעקב של השליח.", `את מצב ההזמנה רואים באזור **ההזמנות שלי** באתר, אחרי כניסה לחשבון.

- **התקבלה**: ההזמנה שולמה ומחכה לליקוט במחסן.
- **נשלחה**: החבילה יצאה מהמחסן. מהשלב הזה מופיע גם מספר מעקב של חברת השליחויות.
- **נמסרה**: החבילה הגיעה.

במייל שנשלח כשההזמנה יוצאת מהמחסן יש קישור ישיר למעקב. אם המעקב לא התעדכן יותר משלושה ימי עסקים, כתבו לנו ונבדוק מול חברת השליחויות.`},
		en: &helpText{"Tracking your order", "", "Where to see your order's status and the courier's tracking number.", `You can see your order's status under **My orders** once you're signed in.

- **Received**: the order is paid and waiting to be picked at the warehouse.
- **Shipped**: the parcel has left the warehouse; from now on a courier tracking number is shown too.
- **Delivered**: the parcel has arrived.

The email we send when the order leaves the warehouse has a direct tracking link. If the tracking hasn't changed for more than three business days, write to us and we'll check with the courier.`}},
	{section: "ordering-placing",
		he: &helpText{"מוצר שאזל מהמלאי", "", "מה קורה כשמוצר אזל, ואיך מקבלים התראה כשהוא חוזר.", `כשמוצר אזל מהמלאי, מופיע בעמוד שלו הכפתור **עדכנו אותי כשיחזור**. משאירים כתובת מייל ומקבלים הודעה ברגע שהמוצר חוזר למלאי.

אם מוצר אזל אחרי שכבר הזמנתם, נודיע לכם תוך יום עסקים ונציע מוצר חלופי או ביטול עם החזר כספי מלא. לא נשלח מוצר אחר בלי אישור שלכם.`},
		en: &helpText{"Out-of-stock products", "", "What happens when a product is out of stock, and how to hear when it's back.", `When a product is out of stock, its page shows a **Tell me when it's back** button. Leave your email address and we'll let you know as soon as it returns.

If a product runs out after you've ordered it, we'll tell you within one business day and offer a replacement or a cancellation with a full refund. We never send a different product without your approval.`}},
	{section: "ordering-changes",
		he: &helpText{"שינוי הזמנה אחרי התשלום", "", "עד מתי אפשר לשנות כתובת, מוצר או מועד משלוח.", `אפשר לשנות הזמנה כל עוד היא במצב **התקבלה**, כלומר לפני שיצאה מהמחסן:

- **כתובת או טלפון**: מעדכנים בעצמכם באזור ההזמנות שלי.
- **הוספה או הסרה של מוצר, או שינוי מועד משלוח**: כתבו לנו עם מספר ההזמנה ונעדכן.

אחרי שההזמנה נשלחה אי אפשר לשנות אותה, אבל אפשר לסרב לקבל את החבילה או להחזיר אותה לפי מדיניות ההחזרות.`},
		en: &helpText{"Changing an order after payment", "", "Until when you can change the address, products or delivery date.", `You can change an order while its status is **Received**, that is, before it leaves the warehouse:

- **Address or phone**: update it yourself under My orders.
- **Adding or removing a product, or changing the delivery date**: write to us with the order number and we'll update it.

Once the order has shipped it can't be changed, but you can refuse the delivery or return it under our return policy.`}},
	{section: "ordering-changes",
		he: &helpText{"ביטול הזמנה ודמי ביטול", "", "איך מבטלים הזמנה, ומתי גובים דמי ביטול.", `מבטלים הזמנה באזור **ההזמנות שלי** או בפנייה אלינו.

- **לפני שההזמנה נשלחה**: הביטול ללא עלות, וההחזר המלא יוצא באותו יום.
- **אחרי שנשלחה**: מחזירים את המוצר לפי מדיניות ההחזרות. לפי חוק הגנת הצרכן נגבים דמי ביטול של 5% ממחיר המוצר או 100 ₪, הנמוך מביניהם.

דמי המשלוח מוחזרים רק אם ההזמנה בוטלה לפני שנשלחה.`},
		en: &helpText{"Cancelling an order and cancellation fees", "", "How to cancel an order, and when a cancellation fee applies.", `Cancel an order under **My orders** or by writing to us.

- **Before it has shipped**: cancelling is free and the full refund goes out the same day.
- **After it has shipped**: return the product under our return policy. As the Consumer Protection Law allows, a cancellation fee of 5% of the price or 100 ILS, whichever is lower, applies.

Delivery fees are refunded only when the order is cancelled before it ships.`}},

	// Delivery.
	{section: "delivery-times",
		he: &helpText{"זמני משלוח", "זמני-משלוח", "משלוח עד הבית תוך 5 ימי עסקים ברוב הארץ.", `רוב ההזמנות מגיעות תוך **5 ימי עסקים** מיום התשלום. ימי עסקים הם א׳–ה׳, בלי שישי, שבת וחגים.

| אזור | זמן משלוח |
| --- | --- |
| מרכז, שרון, שפלה | 2–4 ימי עסקים |
| צפון ודרום | 3–5 ימי עסקים |
| אילת והערבה | עד 7 ימי עסקים |

לפני המשלוח השליח מתקשר לתאם חלון זמן של ארבע שעות. מוצרים גדולים (מקררים, מכונות כביסה, ספות) מגיעים במשלוח נפרד עם צוות התקנה.`},
		en: &helpText{"Delivery times", "delivery-times", "Home delivery within 5 business days across most of the country.", `Most orders arrive within **5 business days** of payment. Business days are Sunday to Thursday, without Fridays, Saturdays and holidays.

| Area | Delivery time |
| --- | --- |
| Centre, Sharon, Shfela | 2–4 business days |
| North and South | 3–5 business days |
| Eilat and the Arava | up to 7 business days |

Before delivery the courier calls to agree a four-hour window. Large products (fridges, washing machines, sofas) come separately with an installation team.`}},
	{section: "delivery-times",
		he: &helpText{"עלויות משלוח ומשלוח חינם", "", "משלוח חינם מ-300 ₪, ומה עולה משלוח של מוצר גדול.", `- הזמנה מעל **300 ₪**: משלוח חינם עד הבית.
- הזמנה עד 300 ₪: דמי משלוח של 29 ₪.
- מוצר גדול עם התקנה: 149 ₪, כולל הובלה לקומה ופינוי המוצר הישן.
- איסוף עצמי מסניף: תמיד בחינם.

העלות המדויקת מופיעה בסל לפני התשלום, כך שאין הפתעות בחשבונית.`},
		en: &helpText{"Delivery costs and free delivery", "", "Free delivery from 300 ILS, and what delivering a large product costs.", `- Orders over **300 ILS**: free home delivery.
- Orders up to 300 ILS: a 29 ILS delivery fee.
- Large products with installation: 149 ILS, including carrying it to your floor and taking away the old appliance.
- Collecting from a store: always free.

The exact cost is shown in the basket before you pay, so there are no surprises on the invoice.`}},
	{section: "delivery-times",
		he: &helpText{"משלוח מוצרים גדולים והתקנה", "", "מה צריך להכין לפני שמגיע צוות ההתקנה.", `מוצרים גדולים מגיעים עם צוות הובלה והתקנה. כדי שהכול יעבור חלק:

- ודאו שהמוצר עובר בדלתות ובמדרגות (המידות מופיעות בעמוד המוצר).
- במכונת כביסה: ברז מים ופתח ניקוז במרחק של עד מטר וחצי.
- במקרר: המתינו ארבע שעות לפני שמחברים לחשמל, כדי שהגז יתייצב.

הצוות מפנה את האריזות ואת המוצר הישן ללא תוספת תשלום.`},
		en: &helpText{"Delivery and installation of large products", "", "What to prepare before the installation team arrives.", `Large products come with a delivery and installation team. To make it go smoothly:

- Check that the product fits through your doors and stairwell (the dimensions are on the product page).
- For a washing machine: a water tap and a drain within one and a half metres.
- For a fridge: wait four hours before plugging it in, so the gas settles.

The team takes away the packaging and your old appliance at no extra cost.`}},
	{section: "delivery-times",
		he: &helpText{"איסוף עצמי מסניף", "", "איך אוספים הזמנה מהסניף ומה להביא.", `בזמן ההזמנה בוחרים **איסוף עצמי** ואת הסניף הנוח לכם. כשההזמנה מוכנה נשלח מסרון, בדרך כלל תוך יומיים.

לאיסוף מביאים את מספר ההזמנה ותעודה מזהה. מישהו אחר אוסף בשבילכם? שלחו לנו את שמו ומספר תעודת הזהות שלו. ההזמנה נשמרת בסניף 14 יום.`},
		en: &helpText{"Collecting from a store", "", "How to collect your order from a store and what to bring.", `When ordering, choose **Collect from a store** and the store that suits you. We text you when the order is ready, usually within two days.

Bring the order number and an ID. Is someone else collecting for you? Send us their name and ID number. The store keeps your order for 14 days.`}},
	{section: "delivery-problems",
		he: &helpText{"החבילה לא הגיעה", "", "מה בודקים כשהמשלוח מתעכב, ומתי לפנות אלינו.", `אם עבר מועד המשלוח שקיבלתם במייל:

1. בדקו את מספר המעקב באזור ההזמנות שלי.
2. ודאו שהטלפון בהזמנה נכון: השליח מתאם בטלפון.
3. אם המעקב לא התעדכן שלושה ימי עסקים, או שהשליח לא הגיע בחלון שתואם, כתבו לנו עם מספר ההזמנה.

נבדוק מול חברת השליחויות ונחזור אליכם עם מועד חדש. על משלוח שאיחר ביותר מחמישה ימי עסקים נחזיר את דמי המשלוח.`},
		en: &helpText{"My parcel hasn't arrived", "", "What to check when a delivery is late, and when to contact us.", `If the delivery date in your email has passed:

1. Check the tracking number under My orders.
2. Make sure the phone number on the order is right: the courier arranges delivery by phone.
3. If the tracking hasn't changed for three business days, or the courier didn't come in the agreed window, write to us with the order number.

We'll check with the courier and come back to you with a new date. If a delivery is more than five business days late, we refund the delivery fee.`}},
	{section: "delivery-problems",
		he: &helpText{"קיבלתי פריט שגוי או פגום במשלוח", "", "מה עושים כשהגיע מוצר אחר, חסר או שבור.", `קרה לנו, ואנחנו מתנצלים. מה עושים:

- **פריט שגוי או חסר**: כתבו לנו תוך 14 יום עם מספר ההזמנה. נאסוף את הפריט השגוי ונשלח את הנכון על חשבוננו.
- **מוצר שנשבר במשלוח**: צלמו את המוצר ואת האריזה ושלחו לנו תוך 48 שעות. אל תזרקו את האריזה עד שנאסוף.

אין צורך להחזיר את המוצר בעצמכם: השליח שלנו מגיע לאסוף.`},
		en: &helpText{"Wrong or damaged item in my delivery", "", "What to do when a different, missing or broken product arrives.", `It happens, and we're sorry. Here's what to do:

- **Wrong or missing item**: write to us within 14 days with the order number. We'll collect the wrong item and send the right one at our cost.
- **Broken in delivery**: photograph the product and the packaging and send them to us within 48 hours. Keep the packaging until we collect it.

You don't need to send anything back yourself: our courier comes to collect it.`}},

	// Returns and refunds.
	{section: "returns-policy",
		he: &helpText{"מדיניות החזרות", "מדיניות-החזרות", "אפשר להחזיר מוצר תוך 14 יום מיום המסירה ולקבל החזר כספי מלא.", `אפשר **להחזיר מוצר** תוך **14 יום** מיום המסירה, גם אם האריזה נפתחה, כל עוד המוצר שלם, לא נעשה בו שימוש וכל החלקים והאביזרים בקופסה.

## מה אי אפשר להחזיר
- מוצרים שהותקנו או חוברו לחשמל, מים או גז, חוץ ממוצר פגום.
- מזרנים וכריות שהניילון שלהם הוסר, מטעמי היגיינה.
- מוצרים שהוזמנו במידה אישית.

## דמי ביטול
בהחזרה של מוצר תקין נגבים דמי ביטול של 5% או 100 ₪, הנמוך מביניהם. במוצר פגום, בפריט שגוי או במשלוח שנשבר ההחזרה ללא עלות.

## איך מחזירים
אפשר לתאם איסוף עם שליח, או להחזיר בכל אחד מהסניפים. הפרטים במאמר **איך מחזירים מוצר**. אחרי שהמוצר מגיע אלינו ונבדק, ההחזר הכספי יוצא לאמצעי התשלום המקורי.`},
		en: &helpText{"Return policy", "return-policy", "You can return a product within 14 days of delivery for a full refund.", `You can **return a product** within **14 days** of delivery, even if the box was opened, as long as it's complete, unused and has all its parts and accessories.

## What can't be returned
- Products that were installed or connected to electricity, water or gas, unless they're faulty.
- Mattresses and pillows whose wrapping was removed, for hygiene reasons.
- Made-to-measure products.

## Cancellation fee
Returning a product that works costs a cancellation fee of 5% or 100 ILS, whichever is lower. Returns of faulty products, wrong items or breakage in delivery are free.

## How to return
Book a courier pickup or bring it to any of our stores; see **How to return a product**. Once the product reaches us and is checked, the refund goes to your original payment method.`}},
	{section: "returns-policy",
		he: &helpText{"איך מחזירים מוצר", "", "תיאום איסוף עם שליח או החזרה בסניף, צעד אחר צעד.", `יש שתי דרכים להחזיר מוצר:

**איסוף עם שליח**
1. באזור ההזמנות שלי בוחרים את ההזמנה ולוחצים **החזרת מוצר**.
2. בוחרים את הפריטים ואת סיבת ההחזרה.
3. בוחרים יום לאיסוף. השליח מגיע עם טופס החזרה.

**החזרה בסניף**
מביאים את המוצר באריזתו ואת מספר ההזמנה לכל סניף. אין צורך לתאם מראש.

אחרי ההחזרה נשלח אליכם מייל עם אישור ההחזרות וסכום ההחזר.`},
		en: &helpText{"How to return a product", "", "Booking a courier pickup or returning in a store, step by step.", `There are two ways to return a product:

**Courier pickup**
1. Under My orders, choose the order and click **Return a product**.
2. Choose the items and the reason for the return.
3. Pick a day for the pickup. The courier brings a return form.

**In a store**
Bring the product in its box and your order number to any store. No appointment needed.

After the return we email you a confirmation with the refund amount.`}},
	{section: "returns-policy",
		he: &helpText{"החזרת הזמנה מהאתר בסניף", "", "אפשר להחזיר בכל סניף מוצר שהוזמן באתר.", `כן, אפשר. כל הסניפים מקבלים החזרות של הזמנות מהאתר, עם מספר ההזמנה או המייל שקיבלתם.

ההחזר הכספי יוצא לכרטיס שבו שילמתם באתר, לא במזומן ולא בזיכוי לחנות, אלא אם תבקשו זיכוי. מוצר גדול שהגיע עם התקנה עדיף להחזיר באיסוף עם שליח.`},
		en: &helpText{"Returning an online order in a store", "", "Any store accepts returns of products ordered online.", `Yes, you can. Every store accepts returns of online orders with the order number or the email you received.

The refund goes to the card you paid with online, not in cash and not as store credit, unless you ask for credit. For a large product that was delivered with installation, a courier pickup is easier.`}},
	{section: "returns-refunds",
		he: &helpText{"מתי יגיע ההחזר הכספי", "", "ההחזר יוצא תוך יום עסקים ומופיע בכרטיס תוך 3–5 ימי עסקים.", `אחרי שהמוצר המוחזר מגיע אלינו ונבדק, **ההחזר יוצא תוך יום עסקים** לאמצעי התשלום המקורי.

- **כרטיס אשראי**: הזיכוי מופיע בכרטיס תוך 3–5 ימי עסקים, ולפעמים רק בחיוב החודשי הבא.
- **עסקה בתשלומים**: התשלומים שנותרו מבוטלים, והתשלומים ששולמו מוחזרים.
- **PayPal או ביט**: ההחזר מגיע תוך יומיים.

עברו יותר מעשרה ימי עסקים ואין זיכוי? כתבו לנו ונשלח אישור זיכוי שאפשר להציג לחברת האשראי.`},
		en: &helpText{"When will I get my refund?", "", "Refunds go out within a business day and show on your card within 3–5 business days.", `Once the returned product reaches us and is checked, **the refund goes out within one business day** to your original payment method.

- **Credit card**: the credit shows on your card within 3–5 business days, sometimes only on the next monthly statement.
- **Instalments**: the remaining instalments are cancelled and those already paid are refunded.
- **PayPal or Bit**: the refund arrives within two days.

More than ten business days and no credit? Write to us and we'll send a refund confirmation you can show your card company.`}},
	{section: "returns-refunds",
		he: &helpText{"מוצר פגום ואחריות", "", "מה עושים כשמוצר מתקלקל, בתוך האחריות ואחריה.", `לכל מוצר חשמלי יש אחריות יצרן של שנה לפחות; משך האחריות מופיע בעמוד המוצר ובתעודת האחריות.

- **בתוך 14 יום מהמסירה**: מוצר פגום מוחלף במוצר חדש או מוחזר בהחזר מלא, לבחירתכם.
- **אחרי 14 יום ובתוך האחריות**: פותחים קריאת שירות מול היבואן. מספרי הטלפון של המעבדות מופיעים בתעודת האחריות, ואנחנו נשמח לעזור לתאם.

שמרו את החשבונית: היא משמשת הוכחת רכישה לאחריות.`},
		en: &helpText{"Faulty products and warranty", "", "What to do when a product breaks, within and after the warranty.", `Every electrical product has at least a one-year manufacturer's warranty; its length is on the product page and the warranty card.

- **Within 14 days of delivery**: a faulty product is replaced with a new one or refunded in full, as you prefer.
- **After 14 days, within the warranty**: open a service call with the importer. The service labs' numbers are on the warranty card, and we're happy to help arrange it.

Keep your invoice: it's your proof of purchase for the warranty.`}},

	// Payments and invoices.
	{section: "payments-paying",
		he: &helpText{"אמצעי תשלום ותשלומים", "", "כרטיסי אשראי, PayPal, ביט, ועד 12 תשלומים ללא ריבית.", `אפשר לשלם ב:
- כרטיסי אשראי: ויזה, מאסטרקארד, אמריקן אקספרס וישראכרט.
- PayPal וביט.
- העברה בנקאית, להזמנות של עסקים בלבד.

בהזמנה מעל 600 ₪ אפשר לפרוס **עד 12 תשלומים ללא ריבית** בכרטיס אשראי. מספר התשלומים נבחר בשלב התשלום.`},
		en: &helpText{"Payment methods and instalments", "", "Credit cards, PayPal, Bit, and up to 12 interest-free instalments.", `You can pay with:
- Credit cards: Visa, Mastercard, American Express and Isracard.
- PayPal and Bit.
- Bank transfer, for business orders only.

Orders over 600 ILS can be split into **up to 12 interest-free instalments** by credit card. Choose the number of instalments at checkout.`}},
	{section: "payments-paying",
		he: &helpText{"חויבתי פעמיים", "", "למה מופיעים לפעמים שני חיובים, ומה עושים.", `לפעמים מופיעים בכרטיס שני חיובים כשדף התשלום נתקע ולוחצים שוב. ברוב המקרים אחד מהם הוא **מסגרת זמנית** שחברת האשראי משחררת תוך כמה ימים, ולא חיוב אמיתי.

אם שני החיובים מופיעים גם אחרי שלושה ימי עסקים, כתבו לנו עם מספר ההזמנה ותאריך החיובים. נבטל את החיוב הכפול ונשלח אישור ביטול במייל; הזיכוי מופיע בכרטיס תוך 3–5 ימי עסקים.`},
		en: &helpText{"I was charged twice", "", "Why two charges sometimes appear, and what to do.", `Two charges sometimes appear when the payment page freezes and you click again. Usually one of them is a **temporary hold** that your card company releases within a few days, not a real charge.

If both charges are still there after three business days, write to us with the order number and the date of the charges. We'll cancel the duplicate and email you a cancellation confirmation; the credit shows on your card within 3–5 business days.`}},
	{section: "payments-paying",
		he: &helpText{"קופון שלא עובד", "", "הסיבות הנפוצות לקופון שלא מתקבל בקופה.", `כשקופון לא מתקבל, בדרך כלל זו אחת הסיבות האלה:

- תוקף הקופון פג. התאריך מופיע בהודעה שבה קיבלתם אותו.
- יש סכום מינימום להזמנה, או שהקופון חל רק על קטגוריה מסוימת.
- כבר יש בסל מבצע אחר: קופונים לא מצטרפים למבצעים.
- הקוד הוקלד עם רווח מיותר. כדאי להעתיק ולהדביק.

נראה שהכול תקין והקופון עדיין לא עובד? כתבו לנו את הקוד ומה יש בסל, ונבדוק.`},
		en: &helpText{"A coupon that doesn't work", "", "The usual reasons a coupon is refused at checkout.", `When a coupon is refused, it's usually one of these:

- The coupon has expired; the date is in the message you got it in.
- There's a minimum order amount, or the coupon applies to one category only.
- Your basket already has another offer: coupons don't combine with sales.
- The code was typed with an extra space. Copy and paste it.

Everything looks right and it still doesn't work? Write to us with the code and what's in your basket and we'll check.`}},
	{section: "payments-invoices",
		he: &helpText{"איפה מוצאים את חשבונית המס", "חשבונית-מס", "החשבונית נשלחת במייל ונשמרת באזור ההזמנות שלי.", `**חשבונית מס קבלה** נשלחת למייל שלכם כשההזמנה יוצאת מהמחסן. עותק שלה שמור תמיד באזור **ההזמנות שלי**, ליד כל הזמנה.

צריכים חשבונית מרוכזת לכמה הזמנות, למשל לרואה החשבון? כתבו לנו את התקופה ונשלח קובץ אחד.

סעיף **דמי טיפול** בחשבונית הוא דמי המשלוח של הזמנה עד 300 ₪.`},
		en: &helpText{"Where to find your tax invoice", "tax-invoice", "Your invoice is emailed and kept under My orders.", `A **tax invoice receipt** is emailed to you when your order leaves the warehouse. A copy is always kept under **My orders**, next to each order.

Need one combined invoice for several orders, say for your accountant? Write to us with the period and we'll send a single file.

The **handling fee** line on the invoice is the delivery fee of an order under 300 ILS.`}},
	{section: "payments-invoices",
		he: &helpText{"חשבונית על שם חברה", "", "איך מקבלים חשבונית עם שם העסק ומספר ח.פ.", `בשלב התשלום מסמנים **אני צריך חשבונית לעסק** וממלאים את שם החברה ומספר ח.פ. או עוסק מורשה.

שכחתם לסמן? אפשר לבקש הפקה מחדש של החשבונית על שם העסק תוך 30 יום מהרכישה: כתבו לנו את מספר ההזמנה, שם העסק ומספרו.`},
		en: &helpText{"Invoice in a company's name", "", "How to get an invoice with your business name and registration number.", `At checkout, tick **I need a business invoice** and fill in the company name and its registration or VAT number.

Forgot to tick it? We can reissue the invoice in your company's name within 30 days of purchase: write to us with the order number, the company name and its number.`}},

	// Account.
	{section: "account-signin",
		he: &helpText{"איפוס סיסמה", "איפוס-סיסמה", "שכחתם את הסיסמה? כך מאפסים אותה בשתי דקות.", `1. בדף הכניסה לוחצים **שכחתי סיסמה**.
2. מקלידים את כתובת המייל של החשבון.
3. פותחים את המייל שנשלח אליכם ולוחצים על הקישור. הקישור בתוקף שעה אחת.
4. בוחרים סיסמה חדשה, באורך 10 תווים לפחות.

לא הגיע מייל? בדקו בספאם, וודאו שזו הכתובת שאיתה נרשמתם. אם עדיין לא הצלחתם, כתבו לנו ונעזור, אבל לעולם לא נבקש מכם את הסיסמה עצמה.`},
		en: &helpText{"Resetting your password", "reset-password", "Forgot your password? Here's how to reset it in two minutes.", `1. On the sign-in page, click **Forgot password**.
2. Type your account's email address.
3. Open the email we send and click the link. The link works for one hour.
4. Choose a new password of at least 10 characters.

No email? Check your spam folder and make sure it's the address you signed up with. Still stuck? Write to us and we'll help, though we will never ask for your password itself.`}},
	{section: "account-signin",
		he: &helpText{"החשבון ננעל אחרי כמה ניסיונות כניסה", "", "למה החשבון ננעל ואיך נכנסים שוב.", `אחרי חמישה ניסיונות כניסה שגויים ברצף החשבון ננעל לרבע שעה, כדי להגן עליו מפני ניחוש סיסמה.

אפשר לחכות רבע שעה ולנסות שוב, או לאפס את הסיסמה מיד בלחיצה על **שכחתי סיסמה**. אם לא אתם ניסיתם להיכנס, מומלץ לאפס את הסיסמה בכל מקרה.`},
		en: &helpText{"My account is locked after several sign-in attempts", "", "Why the account was locked and how to get back in.", `After five wrong sign-in attempts in a row, the account is locked for fifteen minutes to protect it from password guessing.

Wait fifteen minutes and try again, or reset your password right away with **Forgot password**. If it wasn't you trying to sign in, reset your password anyway.`}},
	{section: "account-details",
		he: &helpText{"עדכון פרטים וכתובת למשלוח", "", "איך משנים שם, טלפון, מייל וכתובות שמורות.", `באזור **החשבון שלי** אפשר לעדכן שם, טלפון וכתובות למשלוח, ולשמור כמה כתובות (בית, עבודה, הורים).

שינוי כתובת המייל של החשבון דורש אישור בקישור שנשלח לכתובת החדשה. שינוי פרטים לא משנה הזמנות שכבר יצאו מהמחסן; להזמנה שעוד לא נשלחה אפשר לעדכן כתובת במסך ההזמנה.`},
		en: &helpText{"Updating your details and delivery address", "", "How to change your name, phone, email and saved addresses.", `Under **My account** you can update your name, phone number and delivery addresses, and save several addresses (home, work, parents).

Changing your account's email needs confirming through a link sent to the new address. Changed details don't affect orders that have already shipped; for an order that hasn't shipped yet, update the address on the order's page.`}},
	{section: "account-details",
		he: &helpText{"הסרה מדיוור ומחיקת החשבון", "", "איך מפסיקים לקבל מבצעים במייל, ואיך מוחקים את החשבון.", `**הסרה מדיוור**: בתחתית כל מייל שיווקי יש קישור **להסרה**. אפשר גם לכבות את הדיוור באזור החשבון שלי. גם אחרי ההסרה תמשיכו לקבל מיילים על ההזמנות שלכם.

**מחיקת החשבון**: כתבו לנו מהכתובת הרשומה בחשבון. נמחק את הפרטים האישיים תוך 30 יום, חוץ ממה שהחוק מחייב לשמור, כמו חשבוניות, לשבע שנים.`},
		en: &helpText{"Unsubscribing and deleting your account", "", "How to stop marketing emails, and how to delete your account.", `**Unsubscribing**: every marketing email has an **unsubscribe** link at the bottom, or switch newsletters off under My account. You'll still get emails about your orders.

**Deleting your account**: write to us from the address on the account. We delete your personal details within 30 days, except what the law requires us to keep, such as invoices, for seven years.`}},

	// Internal procedures, for agents only.
	{section: "procedures-service", internal: true,
		he: &helpText{"נוהל זיכוי ופיצוי ללקוח", "נוהל-זיכוי-ופיצוי", "מה כל נציג רשאי לתת, ומתי צריך אישור ראש צוות.", `מטרת הפיצוי היא לתקן חוויה רעה, לא לקנות שקט. קודם פותרים את הבעיה, ואז מפצים.

| מצב | מה רשאי לתת כל נציג |
| --- | --- |
| משלוח שאיחר ביותר מ-5 ימי עסקים | החזר דמי המשלוח |
| לקוח שפנה פעמיים על אותה בעיה | קופון של 50 ₪ להזמנה הבאה |
| פריט שגוי או שבור | איסוף והחלפה על חשבוננו, ללא שאלות |

**צריך אישור ראש צוות**: זיכוי מעל 500 ₪, החזר כספי על מוצר שהותקן, ופיצוי ללקוח עסקי.

תמיד רושמים בשיחה (בהערה פנימית) מה ניתן ולמה.`},
		en: &helpText{"Credit and compensation guidelines", "credit-and-compensation", "What any agent may give, and when a team lead must approve.", `Compensation is for making up for a bad experience, not for buying quiet. Solve the problem first, then compensate.

| Situation | What any agent may give |
| --- | --- |
| Delivery more than 5 business days late | Refund the delivery fee |
| Customer contacting us twice about the same problem | A 50 ILS coupon for their next order |
| Wrong or broken item | Pickup and replacement at our cost, no questions |

**Needs a team lead's approval**: credit over 500 ILS, refunds for installed products, and compensation for business customers.

Always note in the conversation (as an internal note) what was given and why.`}},
	{section: "procedures-service", internal: true,
		he: &helpText{"נוהל העברה חמה", "נוהל-העברה-חמה", "איך מעבירים שיחה לנציג אחר בלי שהלקוח יחזור על הסיפור.", `לכל פנייה יש בעלים אחד עד שהיא נפתרת. כשצריך להעביר:

1. כותבים **תדריך** לנציג הבא: מה הבעיה, מה כבר נבדק, מה הובטח ללקוח ועד מתי.
2. אומרים ללקוח מי מטפל עכשיו ולמה.
3. לא מעבירים שיחה שכבר הועברה שלוש פעמים בלי לדבר קודם עם ראש הצוות.

המשפט "צריך לפנות למחלקה אחרת" אסור. אנחנו פונים למחלקה האחרת בשביל הלקוח.`},
		en: &helpText{"Warm hand-off procedure", "warm-handoff", "How to pass a conversation on without the customer repeating their story.", `Every request has one owner until it's solved. When you need to pass it on:

1. Write a **briefing** for the next agent: the problem, what was checked, what was promised and by when.
2. Tell the customer who handles it now and why.
3. Don't pass on a conversation that has already been handed off three times without talking to your team lead first.

Never tell a customer to "contact another department". We contact the other department for them.`}},
	{section: "procedures-service", internal: true,
		he: &helpText{"לקוח שמבקש מנהל", "", "איך מטפלים בבקשה לדבר עם אחראי.", `לקוח שמבקש מנהל לא "מסלים", הוא מבקש שמישהו ייקח אחריות. לכן:

- לא מתווכחים ולא מנסים לשכנע אותו לוותר.
- מסמנים **הסלמה** בשיחה. ראש הצוות הופך לבעלים ומחויב לחזור ללקוח תוך שעה.
- אומרים ללקוח בדיוק מה יקרה: "ראש הצוות, רונית, תחזור אלייך עד 14:00".

עד שראש הצוות סוגר את ההסלמה, אי אפשר לסמן את השיחה כפתורה.`}},
	{section: "procedures-service", internal: true,
		he: &helpText{"אימות זהות לפני שינוי פרטים", "", "מה בודקים לפני שמשנים כתובת, טלפון או מייל של לקוח.", `לפני שמשנים פרטים של לקוח, או מוסרים פרטי הזמנה בטלפון, מאמתים זהות בשני פרטים מתוך:

- מספר הזמנה אחרונה.
- ארבע הספרות האחרונות של הכרטיס ששילם.
- כתובת המשלוח האחרונה.

לעולם לא מבקשים סיסמה או קוד חד-פעמי. שינוי מייל של חשבון נעשה רק מהכתובת הישנה, או באישור ראש צוות.`}},
	{section: "procedures-service", internal: true,
		he: &helpText{"ניסוחים שכדאי להימנע מהם", "", "משפטים שמרחיקים לקוחות, ומה לומר במקומם.", `| במקום | אומרים |
| --- | --- |
| "לא, אי אפשר" | "מה שאני כן יכול לעשות הוא…" |
| "זה לא התפקיד שלי" | "אני בודק את זה בשבילך מול…" |
| "אני אראה מה אפשר לעשות" | "אחזור אלייך עד יום חמישי ב-12:00 עם תשובה" |
| "כבר ראינו את זה אצל לקוחות אחרים" | "תודה שסיפרת לנו, זה עוזר לנו לתקן" |
| "ברור?" | "יש עוד משהו שלא היה ברור?" |

הבטחה טובה היא הבטחה עם מועד. הבטחה בלי מועד היא הבטחה שהלקוח יזכור ואנחנו נשכח.`},
		en: &helpText{"Phrases to avoid", "phrases-to-avoid", "Phrases that push customers away, and what to say instead.", `| Instead of | Say |
| --- | --- |
| "No, that's impossible" | "What I can do is…" |
| "That's not my job" | "I'm checking this for you with…" |
| "I'll see what I can do" | "I'll get back to you by Thursday 12:00 with an answer" |
| "We've seen this with other customers" | "Thanks for telling us, it helps us fix it" |
| "Is that clear?" | "Is there anything I didn't explain well?" |

A good promise has a time. A promise without one is a promise the customer remembers and we forget.`}},

	// A draft the editors are still writing.
	{section: "payments-paying", draft: true,
		he: &helpText{"מבצע סוף עונה: תנאים", "", "", `טיוטה: התנאים המלאים יתפרסמו עם תחילת המבצע.

- הנחה של עד 30% על מוצרים מסומנים.
- לא מצטרף לקופונים אחרים.`}},
}
