package demo

// person is a name in its script and a Latin spelling for addresses.
type person struct{ name, latin string }

// Hebrew first and last names with a transliteration for email addresses.
// heFemale and heMale are Hebrew first names; Hebrew text agrees in gender.
var heFemale = []person{
	{"נועה", "noa"}, {"יעל", "yael"}, {"תמר", "tamar"}, {"מיכל", "michal"}, {"שירה", "shira"},
	{"אביגיל", "avigail"}, {"רונית", "ronit"}, {"אורית", "orit"}, {"הילה", "hila"}, {"ליאת", "liat"},
	{"מאיה", "maya"}, {"רותם", "rotem"}, {"עדי", "adi"}, {"סיוון", "sivan"}, {"אסתר", "ester"},
	{"רחל", "rachel"}, {"דנה", "dana"}, {"ענבל", "inbal"}, {"קרן", "keren"}, {"לימור", "limor"},
	{"סמאח", "samah"}, {"בתיה", "batya"},
}

var heMale = []person{
	{"יוסי", "yossi"}, {"אבי", "avi"}, {"משה", "moshe"}, {"דוד", "david"}, {"איתי", "itai"},
	{"עומר", "omer"}, {"אורי", "uri"}, {"גיא", "guy"}, {"רועי", "roy"}, {"אלון", "alon"},
	{"יונתן", "yonatan"}, {"עידו", "ido"}, {"אמיר", "amir"}, {"שלמה", "shlomo"}, {"חיים", "haim"},
	{"ניר", "nir"}, {"אריאל", "ariel"}, {"תומר", "tomer"}, {"ראמי", "rami"},
	{"מוחמד", "muhammad"}, {"ליאור", "lior"}, {"צביקה", "zvika"},
}

var heLast = []person{
	{"כהן", "cohen"}, {"לוי", "levi"}, {"מזרחי", "mizrahi"}, {"פרץ", "peretz"}, {"ביטון", "biton"},
	{"דהן", "dahan"}, {"אברהם", "avraham"}, {"פרידמן", "friedman"}, {"אזולאי", "azulay"}, {"מלכה", "malka"},
	{"שפירא", "shapira"}, {"גבאי", "gabay"}, {"חדד", "hadad"}, {"אוחיון", "ohayon"}, {"יוסף", "yosef"},
	{"בן דוד", "bendavid"}, {"קורן", "koren"}, {"רוזנברג", "rosenberg"}, {"גולן", "golan"}, {"אשכנזי", "ashkenazi"},
	{"ברק", "barak"}, {"שושן", "shoshan"}, {"עמר", "amar"}, {"טל", "tal"}, {"נחום", "nahum"},
	{"חורי", "khoury"}, {"סעדה", "saada"}, {"וולך", "wallach"}, {"קליין", "klein"}, {"אלמוג", "almog"},
	{"בוזגלו", "buzaglo"}, {"זוהר", "zohar"}, {"סגל", "segal"}, {"רבינוביץ", "rabinovich"}, {"הלוי", "halevi"},
}

var enFirst = []string{
	"Sarah", "Emily", "Rebecca", "Hannah", "Olivia", "Jessica", "Laura", "Natalie", "Rachel", "Claire",
	"Michael", "Daniel", "Jonathan", "Benjamin", "Adam", "Ethan", "Noah", "Jacob", "Samuel", "Aaron",
	"Mark", "Joshua", "Lily", "Grace", "Anna", "Dmitry", "Olga", "Pierre", "Maria", "Kevin",
}

var enLast = []string{
	"Miller", "Goldberg", "Katz", "Stein", "Brown", "Wilson", "Green", "Adler", "Klein", "Weiss",
	"Harris", "Fischer", "Berman", "Roth", "Carter", "Levine", "Morris", "Ivanov", "Dubois", "Schwartz",
	"Taylor", "Rosen", "Feldman", "Cooper", "Bloom",
}

// emailDomains are reserved example domains (RFC 2606 and the .example
// top-level domain), so a demo desk can never mail a real person.
var emailDomains = []string{"example.com", "example.net", "example.org", "gmail.example", "walla.example", "mail.example"}

// mobilePrefixes are Israeli mobile operators' prefixes; landlines are
// area codes.
var (
	mobilePrefixes = []string{"050", "052", "053", "054", "055", "058"}
	areaCodes      = []string{"02", "03", "04", "08", "09"}
)

// staffMember is one demo user of the desk.
type staffMember struct {
	name, latin, lang string
	female            bool
	role              string // admin, lead or agent
	avail             string
	teams             []string // team keys
}

// staff is the desk's team: one admin, two leads, ten agents.
var staff = []staffMember{
	{"מיכל אברהם", "michal.avraham", "he", true, "admin", "online", []string{"service"}},
	{"יוסי כהן", "yossi.cohen", "he", false, "lead", "online", []string{"service", "vip"}},
	{"Sarah Goldberg", "sarah.goldberg", "en", true, "lead", "away", []string{"billing", "delivery"}},
	{"אורי לוי", "uri.levi", "he", false, "agent", "online", []string{"service", "delivery"}},
	{"נועה פרץ", "noa.peretz", "he", true, "agent", "online", []string{"service", "vip"}},
	{"עומר ביטון", "omer.biton", "he", false, "agent", "away", []string{"delivery"}},
	{"שירה מזרחי", "shira.mizrahi", "he", true, "agent", "online", []string{"billing"}},
	{"ראמי חורי", "rami.khoury", "he", false, "agent", "offline", []string{"delivery", "service"}},
	{"אביגיל דהן", "avigail.dahan", "he", true, "agent", "online", []string{"billing", "service"}},
	{"איתי שפירא", "itai.shapira", "he", false, "agent", "offline", []string{"service"}},
	{"David Miller", "david.miller", "en", false, "agent", "online", []string{"service", "vip"}},
	{"Emily Rosen", "emily.rosen", "en", true, "agent", "away", []string{"billing", "delivery"}},
	{"ליאת גולן", "liat.golan", "he", true, "agent", "online", []string{"service"}},
}

// staffDomain is the demo retailer's own (reserved, example) domain.
const staffDomain = "noga-home.example"

// teamDef is a demo team.
type teamDef struct{ key, name string }

var teamDefs = []teamDef{
	{"service", "שירות לקוחות"},
	{"billing", "חיובים"},
	{"delivery", "משלוחים"},
	{"vip", "VIP"},
}
