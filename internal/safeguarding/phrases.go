package safeguarding

// Phrases are the words and phrases that raise a safeguarding flag, by
// language. Each is matched on whole words after normalisation (see
// words); a word ending in "*" matches any word starting with it. They
// cover three kinds of risk: suicide, self-harm, and harm from someone
// else (violence or threats at home).
//
// Written by the hearme team from the warning signs that public guidance
// names (docs/safeguarding.md gives the sources); the Polish, Romanian,
// Urdu, Bengali and Somali entries await review by native speakers.
// Bare words that a cancer story uses every day ("die", "died", "dying",
// "killing me", "pain", "hurt") are deliberately not here.
var Phrases = map[string][]string{
	"en": {
		// suicide
		"suicid*", "kill myself", "killing myself", "kill my self", "end my life", "end my own life", "ending my life",
		"take my own life", "take my life", "taking my own life", "end it all", "ending it all",
		"want to die", "wanted to die", "wanting to die", "wish i was dead", "wish i were dead", "wish i could die",
		"better off dead", "better off without me", "better off if i wasnt here", "better off if i werent here", "better off if i was gone", "no reason to live", "nothing to live for", "no point living",
		"no point in living", "not worth living", "dont want to live", "do not want to live", "dont want to be alive",
		"dont want to be here anymore", "dont want to be here any more", "cant go on", "cannot go on", "can not go on",
		"hang myself", "took an overdose", "take an overdose", "taking an overdose", "overdose on purpose",
		// self-harm
		"self harm*", "selfharm*", "hurt myself", "hurting myself", "harm myself", "harming myself", "cut myself", "cutting myself",
		// harm from someone else
		"he hits me", "she hits me", "he hit me", "she hit me", "they hit me", "husband hits me", "partner hits me", "wife hits me",
		"son hits me", "husband hit me", "partner hit me", "beats me", "beat me up", "he hurts me", "she hurts me",
		"threatened to kill", "threatens to kill", "threatening to kill", "scared of my husband", "scared of my partner", "scared of my wife",
		"afraid of my husband", "afraid of my partner", "afraid of my wife", "not safe at home", "dont feel safe at home",
		"domestic abuse", "domestic violence",
	},
	"pl": {
		"samobojstw*", "samobojcz*", "zabic sie", "zabije sie", "zabilabym sie", "zabilbym sie", "odebrac sobie zycie", "odbiore sobie zycie",
		"skonczyc ze soba", "skoncze ze soba", "skonczyc z tym wszystkim", "nie chce zyc", "nie chce juz zyc", "nie chcialam zyc", "nie chcialem zyc",
		"chce umrzec", "chcialam umrzec", "chcialem umrzec", "nie ma po co zyc", "nie mam po co zyc", "targnac sie na zycie",
		"samookalecz*", "okaleczam sie", "sie okaleczam", "okaleczac sie", "nie widze sensu zycia", "nie widze sensu zeby zyc", "sensu zeby dalej zyc", "zrobic sobie krzywde", "robie sobie krzywde",
		"bije mnie", "mnie bije", "uderzyl mnie", "uderzyla mnie", "mnie uderzyl", "mnie uderzyla", "grozi mi", "grozil mi", "przemoc domow*", "przemocy domow*", "boje sie meza", "boje sie partnera",
	},
	"ro": {
		"sinucid*", "sinucigas*", "vreau sa mor", "as vrea sa mor", "imi doresc sa mor", "voiam sa mor", "nu mai vreau sa traiesc", "nu vreau sa mai traiesc",
		"mi iau viata", "imi iau viata", "pun capat vietii", "capat vietii mele", "nu mai are rost sa traiesc", "nu are rost sa mai traiesc",
		"imi fac rau", "mi fac rau", "mi am facut rau", "rost sa traiesc", "autovatam*", "ma autovatam",
		"ma bate", "m a lovit", "ma loveste", "ma ameninta", "m a amenintat", "violenta domestica", "violenta in familie", "frica de sotul meu", "frica de partenerul meu",
	},
	"ur": {
		"خودکشی", "خود کشی", "اپنی جان لے", "اپنی جان لینا", "اپنی جان لینے", "اپنے آپ کو ختم", "خود کو ختم", "زندگی ختم کر*",
		"مرنا چاہتی", "مرنا چاہتا", "کہ مر جاؤں", "دل کرتا ہے کہ مر", "مر جانا چاہتی", "مر جانا چاہتا", "جینا نہیں چاہتی", "جینا نہیں چاہتا", "زندہ نہیں رہنا چاہتی", "زندہ نہیں رہنا چاہتا",
		"جینے کا کوئی فائدہ نہیں", "خود کو نقصان", "اپنے آپ کو نقصان",
		"مجھے مارتا", "مجھے مارتے", "مجھ پر ہاتھ اٹھا*", "گھریلو تشدد", "جان سے مارنے کی دھمکی",
		// Urdu written in Latin letters
		"khudkushi", "khud kushi", "marna chahti", "marna chahta", "jeena nahi chahti", "jeena nahi chahta", "zindagi khatam kar*",
	},
	"bn": {
		"আত্মহত্যা*", "মরে যেতে চাই", "মরতে চাই", "মরে যেতে ইচ্ছা", "বাঁচতে চাই না", "বাঁচতে ইচ্ছা করে না", "বাঁচার ইচ্ছা নেই", "মনে হয় মরে যাই", "বেঁচে থাকার কোনো মানে", "বেঁচে থাকার মানে নেই",
		"নিজেকে শেষ করে", "জীবন শেষ করে", "নিজের ক্ষতি", "নিজেকে আঘাত",
		"আমাকে মারে", "আমাকে মারধর", "গায়ে হাত তোল*", "গায়ে হাত তুল*", "পারিবারিক সহিংসতা", "মেরে ফেলার হুমকি",
	},
	"so": {
		"isdil*", "is dilay", "is dilo", "is dili", "is dilid", "naftayda qaad*", "nafteyda qaad*", "naftayda iska qaad*",
		"dhiman rabaa", "dhimasho rabaa", "jeclaan lahaa inaan dhinto", "inaan dhinto ayaan rabaa", "waxaan doonayaa inaan dhinto", "ma rabo inaan noolaado", "nolosha ma rabo",
		"is waxyeel*", "naftayda waxyeel*", "naftayda ayaan waxyeel*",
		"i garaac*", "wuu i garaacaa", "i dilayaa", "inuu i dilo", "inuu i dilayo", "igu hanjab*", "rabshad qoys*", "xadgudub qoys*",
	},
}
