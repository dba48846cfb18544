package moderation

// Urdu (Arabic script) and Bengali words the name rules of script_names.go
// need. Neither script has capitals, so these lists do the work that
// capitalisation does for English: a word is a name only when it is a
// listed given name or stands next to one of these cues, and never when it
// is one of the stop words. The lists are looked up after foldScript, so
// Arabic-keyboard spellings (ي ك ه) and Bengali nukta forms match too.
//
// Written by the hearme team; awaiting review by native speakers of Urdu
// and Bengali.
const (
	// Function words, pronouns, postpositions, numbers, everyday
	// adjectives and the nouns of a health story: never a name, even next
	// to a cue ("ڈاکٹر نے", "নাম জানি না").
	urduStopWords = `میں مجھے مجھ میرا میری میرے ہم ہمیں ہمارا ہماری ہمارے آپ تم تمہارا تمہاری وہ یہ اس ان انہوں انھوں انہیں انھیں اسے انہی اسی
اپنا اپنی اپنے جو جس جن جنہوں کون کیا کیوں کب کہاں کیسے کیسا کیسی کوئی کسی کچھ سب ہر بہت زیادہ کم اور یا لیکن مگر پر پھر تو بھی ہی نہ نہیں ہاں
نے کو سے کا کی کے تک لیے لئے ساتھ بعد پہلے بارے والا والی والے طرف پاس اندر باہر ذریعے بغیر
ہے ہیں تھا تھی تھے ہو ہوں ہوا ہوئی ہوئے ہوتا ہوتی ہوتے گیا گئی گئے گا گی کر کرکے کرتا کرتی کرتے کرنا کرنے کیا کیے رہا رہی رہے سکا سکی سکے سکتا سکتی سکتے
چاہیے دیا دی دیے دیں لیا لی لیے لے دے بتایا بتائی کہا کہتے کہتی بات کیں ملا ملی ملے جانا جانے آیا آئی آئے گئیں
ایک دو تین چار پانچ چھ سات آٹھ نو دس بڑا بڑی بڑے چھوٹا چھوٹی چھوٹے اچھا اچھی اچھے برا بری برے ٹھیک شکریہ اب آج کل ابھی یہاں وہاں جب تب اگر کیونکہ
صرف بالکل غلط صحیح پورا پوری پورے اصل اصلی دوسرا دوسری دوسرے نیا نئی نئے پرانا پرانی کافی تھوڑا تھوڑی سگا سگی سگے
اللہ خدا ماشاءاللہ انشاءاللہ الحمدللہ آمین سال مہینے مہینہ دن ہفتے ہفتہ پیر منگل بدھ جمعرات جمعہ اتوار صبح شام رات
ہسپتال اسپتال کلینک وارڈ کینسر سرطان علاج دوا دوائی دوائیں ٹیسٹ رپورٹ اپائنٹمنٹ کیمو کیموتھراپی ریڈیو سرجری آپریشن اسکین سکین گھر کمرے کمرہ
این ایچ ایس پی لوٹن برطانیہ انگلینڈ پاکستان کشمیر میرپور اردو پنجابی انگریزی مسلمان مسجد نماز درد مدد خط فون وقت لوگ خاندان بیماری بیمار`

	bengaliStopWords = `আমি আমার আমাকে আমরা আমাদের আমাদেরকে তুমি তোমার তোমাকে আপনি আপনার আপনাকে সে তার তাঁর তাকে তাঁকে ও ওর ওকে উনি ওনার ওনাকে তারা তাদের এরা ওরা
এ এই সেই ওই যে যিনি কে কী কি কেন কখন কোথায় কেমন কোনো কোন কিছু সব সবাই সবার এবং আর বা কিন্তু তবে তাই তো না নয় নেই হ্যাঁ জি
হয় হয়ে হয়েছে হয়েছিল হলো হল ছিল ছিলেন ছিলাম আছে আছেন আছি করে করেছে করেছিল করেছিলেন করল করলো করলেন করতে গেল গেলাম গিয়েছিল গিয়েছিলেন নিয়ে দিয়ে দিল দিলেন বলল বললেন বলেছিল
থেকে কাছে কাছ সাথে সঙ্গে জন্য পরে আগে মধ্যে উপর নিচে ভিতরে বাইরে দিকে খুব অনেক বেশি কম একটু এক দুই তিন চার পাঁচ একজন দুজন
বড় ছোট মেজ সেজ ভালো ভাল খারাপ ঠিক ধন্যবাদ এখন আজ কাল গতকাল আগামীকাল যখন তখন যদি কারণ শুধু ভুল সঠিক পুরো আসল অন্য নতুন পুরানো আপন
চাচাতো খালাতো মামাতো ফুফাতো সৎ আল্লাহ ভগবান ঈশ্বর ইনশাআল্লাহ আলহামদুলিল্লাহ বছর মাস দিন সপ্তাহ সকাল বিকেল রাত
রবিবার সোমবার মঙ্গলবার বুধবার বৃহস্পতিবার শুক্রবার শনিবার
হাসপাতাল হাসপাতালে ক্লিনিক ক্লিনিকে ওয়ার্ড ওয়ার্ডে ক্যান্সার ক্যান্সারের ক্যানসার চিকিৎসা ওষুধ পরীক্ষা রিপোর্ট অ্যাপয়েন্টমেন্ট কেমো কেমোথেরাপি রেডিওথেরাপি অপারেশন স্ক্যান
জিপি এনএইচএস বাড়ি বাড়িতে বাসা বাসায় লুটন বাংলাদেশ সিলেট ঢাকা বাংলা ইংরেজি মুসলমান মসজিদ নামাজ ব্যথা সাহায্য চিঠি ফোন সময় লোক পরিবার অসুখ অসুস্থ`

	// Family and friends. After one of these a listed name is flagged
	// whatever its class ("میری بیٹی نور", "আমার মেয়ে আশা").
	urduRelationWords = `بہن بھائی بیٹا بیٹی بیٹے بیٹیاں امی امّی ابو ابا اماں ماں والدہ والد شوہر خاوند بیوی خالہ خالو پھوپھو پھوپھی چچا چچی ماموں ممانی تایا تائی
نانی نانا دادی دادا بھابھی بہنوئی دیور نند ساس سسر بہو داماد بھتیجا بھتیجی بھانجا بھانجی پوتا پوتی نواسا نواسی کزن دوست سہیلی پڑوسی پڑوسن بچہ بچی بچے`
	bengaliRelationWords = `বোন ভাই ছেলে মেয়ে মা বাবা আম্মা আব্বা আম্মু আব্বু স্বামী স্ত্রী বউ বৌ দাদা দাদি দাদু নানা নানি খালা খালু ফুপু ফুফু চাচা চাচি মামা মামি কাকা কাকি মাসি পিসি
ভাবি দুলাভাই শাশুড়ি শ্বশুর ননদ দেবর জামাই বৌমা নাতি নাতনি ভাগ্নে ভাগ্নি ভাতিজা ভাতিজি বন্ধু বান্ধবী প্রতিবেশী দিদি বাচ্চা সন্তান`

	// Honorifics and kin terms used after a name: the word before them is
	// a name ("خان صاحب", "عائشہ باجی", "রহিম ভাই", "সালমা আপা").
	urduHonorificWords    = `صاحب صاحبہ جی باجی آپا بھائی خالہ چچا ماموں انکل آنٹی خانم`
	bengaliHonorificWords = `সাহেব সাহেবা দিদি ভাই দা আপা আপু বাবু খালা চাচা মামা কাকা মাসি আন্টি আঙ্কেল ম্যাডাম স্যার`

	// Job roles and staff titles: a listed name after one is staff
	// ("ڈاکٹر عائشہ", "নার্স সালমা"); religious and other titles are here
	// so that "امام صاحب" is not taken for a name.
	urduRoleWords    = `ڈاکٹر ڈاکٹرنی نرس سسٹر سرجن کنسلٹنٹ ریسپشنسٹ ترجمان مترجم فزیو فارماسسٹ پروفیسر حکیم امام مولوی مولانا وکیل استاد ماسٹر`
	bengaliRoleWords = `ডাক্তার ডাক্তারবাবু নার্স সিস্টার সার্জন কনসালট্যান্ট রিসেপশনিস্ট দোভাষী অনুবাদক ফার্মাসিস্ট প্রফেসর অধ্যাপক ইমাম হুজুর মৌলভী উকিল শিক্ষক মাস্টার`

	// Person titles: the next word that is not a stop word is a name.
	urduTitleWords    = `مسٹر مسز محترمہ جناب`
	bengaliTitleWords = `মিস্টার মিসেস জনাব শ্রী শ্রীমতী`

	// Abbreviated titles written with a full stop or visarga (ডাঃ রহমান,
	// মোঃ করিম = Md Karim, মোছাঃ = Mst): the next word is a name.
	bengaliAbbrevTitles = `ডাঃ ডা মোঃ মো মোছাঃ মোসাঃ মোসাম্মৎ`
	bengaliAbbrevStaff  = `ডাঃ ডা`

	urduNameWords    = `نام`
	bengaliNameWords = `নাম`
	urduCopulaWords  = `ہے ہیں تھا تھی تھے`
)

func addScriptWords(add func(list string, f uint32)) {
	add(urduStopWords, fStop)
	add(bengaliStopWords, fStop)
	add(urduRelationWords, fRelation|fStop)
	add(bengaliRelationWords, fRelation|fStop)
	add(urduHonorificWords, fHonorific|fStop)
	add(bengaliHonorificWords, fHonorific|fStop)
	add(urduRoleWords, fRole|fStop)
	add(bengaliRoleWords, fRole|fStop)
	add(urduTitleWords, fTitlePerson|fStop)
	add(bengaliTitleWords, fTitlePerson|fStop)
	add(bengaliAbbrevTitles, fNameAfterStop|fStop)
	add(bengaliAbbrevStaff, fTitleStaff)
	add(urduNameWords, fNameWord|fStop)
	add(bengaliNameWords, fNameWord|fStop)
	add(urduCopulaWords, fCopula|fStop)
	// Determiners: "میری بہن", "আমার ছেলে" (a relation cue needs none in
	// these scripts, but the English rules read the flag).
	add(`میرا میری میرے ہمارا ہماری ہمارے اپنا اپنی اپنے আমার আমাদের তার তাঁর ওর ওনার`, fDeterminer)
}

// Bengali case endings a name can carry: রহিমকে (to Rahim), সালমার
// (Salma's), জামালের, রহিমও (Rahim too). Longest first.
var bengaliNameSuffixes = []string{"দেরকে", "দের", "েরও", "েরই", "কেও", "কেই", "রও", "রই", "েরা", "কে", "ের", "এর", "রা", "র", "ও", "ই"}

// Bengali verb endings: "নাম ডাকল।" (called the name) is not "name: X".
var bengaliVerbEndings = []string{"লাম", "লেন", "লো", "ল", "ছেন", "ছে", "ছি", "বেন", "বো", "ব", "তে", "য়ে", "িনি", "না"}
