package moderation

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed names/*.txt
var nameFiles embed.FS

// Word flags. A word can carry several (e.g. "sister" is a relation and,
// capitalised and not after "my", a staff title).
const (
	fStop          uint32 = 1 << iota // never a name on its own (function word, month, service, place...)
	fTitlePerson                      // Mr, Mrs, Pani, Doamna...: a name follows
	fTitleStaff                       // Dr, Prof, Matron, Sister (capitalised): a staff name follows
	fRole                             // nurse, consultant, receptionist...: a staff name may follow
	fRoleNeedsPrev                    // "worker", "visitor": a role only after health/key/support...
	fRoleModifier                     // health, key, support...: makes the next "worker"/"visitor" a role
	fRelation                         // husband, wife, son...: a name may follow after "my/our..."
	fRelationSelf                     // Somali relation words carrying "my" (ninkayga): no determiner needed
	fRelationTitle                    // Uncle, Aunty...: capitalised, a name may follow directly
	fDeterminer                       // my, our, his, her, their, your, mój, moja, meri, mera...
	fRoPossessive                     // meu, mea...: Romanian possessive after a relation word
	fOrgFollow                        // Hospital, Centre, Ward...: "<Name> Hospital" is a place, not a person
	fPlacePrefix                      // St, Saint, Mount, Queen...: "St Mary" is a place, not a person
	fStreetType                       // Road, Street, Avenue...
	fStreetLower                      // road, street, avenue...: accepted in lower case in addresses
	fCountNoun                        // times, weeks, mg...: "March 3 times" is not a date
	fWeekday                          // Monday...
	fDateCue                          // on, born, dob, dated...: "on 12/03" is a date
	fService                          // council, hospital...: "Ms Kaur from the council" is staff
	fNameDet                          // the, a, an + determiners: "<Name>, the surgeon"
	fSurnameToo                       // street types that are also surnames (Hill, Green): do not end a name
	fHonorific                        // صاحب، جی، সাহেব، দিদি...: the word before is a name ("خان صاحب")
	fNameWord                         // نام، নাম: "name", a cue before or after a name (script_names.go)
	fCopula                           // ہے، تھا...: closes "میرا نام X ہے"
	fNameAfterStop                    // ڈাঃ, মোঃ (with their full stop): an abbreviated title, a name follows
)

// Name classes from the embedded lists.
const (
	nameNone   uint8 = iota
	namePlain        // flag wherever capitalised
	nameCommon       // also an ordinary word: not at sentence start without a cue
	nameStrong       // also a month/place: only with a cue or a following surname
)

type wordInfo struct {
	flags     uint32
	month     uint8 // 1..12 when the word is a month name
	monthLow  bool  // month name that may be written in lower case ("marca", "martie")
	nameClass uint8
}

func (w wordInfo) has(f uint32) bool { return w.flags&f != 0 }

// lexicon maps lower-cased words to what the scanner knows about them.
type lexicon struct {
	words map[string]wordInfo
	// phrases that look like names but are organisations or places,
	// lower-cased and joined by one space ("marie curie").
	stopPhrases map[string]bool
	// postcode areas (upper case).
	areas map[string]bool
	// cue phrases, keyed by their last word; each is the words before it.
	nameCues map[string][][]string
	// Bengali verb endings, folded (script_names.go).
	verbEndings []string
}

const (
	stopWords = `i i'm i've i'd i'll me my mine we us our ours you your yours he him his she her hers they them their theirs
it its this that these those there here the a an and but or nor so then than when whenever while where why how what who whom which whose
if as at by for from in into of on onto to up down out off with without within about after afterwards before during since until till over under
again also just only even still yet not no yes ok okay please thanks thank sorry dear hello hi hiya bye regards
all any some every each both either neither nobody everybody everyone someone somebody anyone anybody nothing something everything none
today yesterday tomorrow tonight now later soon once twice sometimes always never often maybe perhaps because although though however therefore
very really much many more most less least few lot lots first second third last next other another same such own
can could would should must might shall do does did done doing have has had having be is are was were been being
get got went go going gone come came said told asked saw seen felt feel think thought know knew want wanted need needed
well good bad great lovely kind amazing brilliant terrible awful overall finally eventually unfortunately luckily thankfully honestly
god allah jesus christ lord inshallah alhamdulillah mashallah amen bismillah
christmas easter eid ramadan diwali vaisakhi hanukkah passover lent new year
mum mom mummy mommy dad daddy nan nana nanny gran granny grandma grandad grandpa
black white asian british english scottish welsh irish european african caribbean jamaican nigerian ghanaian kenyan zimbabwean congolese
polish romanian somali pakistani kashmiri indian bangladeshi bengali bangla sylheti urdu punjabi gujarati hindi arabic tamil
muslim christian hindu sikh jewish catholic protestant orthodox deaf disabled blind
nhs gp gps a&e ae l&d macmillan curie ryder marsden christie lister addenbrooke addenbrookes churchill papworth
pals cns icu itu hca ct mri pet fit psa hpv ibs pip dwp uk covid coronavirus app online
council hospital hospitals hospice hospices clinic clinics centre center ward wards unit units trust service services team practice surgery pharmacy
department helpline line support group research screening breast bowel prostate lung skin cervical ovarian blood
oncology radiology haematology urology gynaecology radiotherapy chemotherapy chemo immunotherapy surgery
cancer tumour tumor biopsy scan scans results result appointment appointments letter letters referral
royal general university national health care charity foundation fund
january february march april june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
luton dunstable bedford bedfordshire hertfordshire stevenage hitchin harpenden leighton buzzard houghton regis milton keynes
london oxford cambridge birmingham leicester northampton watford hemel hempstead aylesbury letchworth welwyn hatfield
leagrave lewsey biscot stopsley wigmore limbury dallow caddington toddington farley saints
england britain scotland wales ireland poland romania somalia somaliland pakistan india bangladesh kashmir mirpur sylhet
jamaica nigeria ghana kenya zimbabwe uganda congo europe africa asia nairobi mogadishu hargeisa lagos accra dhaka lahore karachi islamabad
warsaw krakow bucharest iasi polska românia romania
mr mrs ms miss mx dr prof professor doctor nurse sister matron sir madam`

	titlePersonWords = `mr mrs ms miss mx mister pan pani domnul doamna dl dna d-na d-l`
	titleStaffWords  = `dr prof professor matron doctor nurse doktor`

	roleWords = `doctor doctors nurse consultant surgeon oncologist radiologist radiographer radiotherapist receptionist registrar
physio physiotherapist pharmacist midwife specialist cns keyworker navigator paramedic porter hca dietitian dietician
counsellor psychologist secretary coordinator co-ordinator haematologist urologist gynaecologist dermatologist anaesthetist
interpreter translator therapist psychotherapist chaplain gp practitioner phlebotomist sonographer mammographer adviser advisor
volunteer nutritionist dentist hygienist optometrist administrator
lekarz lekarka doktor pielęgniarka pielęgniarz położna tłumacz tłumaczka
asistenta asistentul asistentă doctorul doctorița doctorita medicul medicului
dhakhtar dhakhtarka dhakhtarkii kalkaaliso kalkaalisada kalkaalisadii turjubaan turjubaanka`
	roleNeedsPrevWords = `worker visitor assistant manager driver officer`
	roleModifierWords  = `health key support social link care cancer healthcare ward medical clinical volunteer transport liaison`

	relationWords = `husband wife son daughter mum mom mother dad father brother sister partner friend neighbour neighbor carer
aunt aunty auntie uncle cousin niece nephew grandson granddaughter grandmother grandfather nan nana nanny gran granny grandma grandad grandpa
fiancé fiance fiancée fiancee boyfriend girlfriend stepson stepdaughter stepmother stepfather stepmum stepdad
sister-in-law brother-in-law mother-in-law father-in-law son-in-law daughter-in-law child children kids baby twin colleague boss landlord flatmate housemate
mąż żona syn córka mama matka tata ojciec brat siostra przyjaciel przyjaciółka sąsiad sąsiadka babcia dziadek wnuk wnuczka ciocia wujek partnerka teściowa teść synowa zięć
soțul soţul soția soţia fiul fiica mama mamă tata tatăl fratele sora prietenul prietena vecinul vecina bunica bunicul nepotul nepoata mătușa mătuşa unchiul soacra socrul
beti beta shohar shauhar biwi bivi ammi ammy abbu abu bhai behen bahen dost saas bahu nani dadi khala phupho chacha mamu`
	relationSelfWords = `ninkayga ninkeyga xaaskayga xaaskeyga wiilkayga wiilkeyga gabadhayda gabadhayda inantayda hooyaday hooyadey hooyadayda aabbahay aabahay aabbahayga
walaalkay walaalkey walaalkayga walaashay walaashey walaashayda saaxiibkay saaxiibkayga saaxiibadday ayeeyday awoowgay deriskayga deriskeyga`
	relationTitleWords = `uncle aunty auntie aunt nan nana nanny gran granny grandma grandad grandpa cousin`

	determinerWords = `my our his her their your
mój moja moje mojego mojej mojemu moją nasz nasza naszego naszej
meri mera mere hamari hamara hamare`
	roPossessiveWords = `meu mea nostru noastră noastra`

	orgFollowWords = `hospital hospitals hospice centre center clinic ward unit house trust foundation fund suite wing building practice surgery
medical school college university church mosque temple gurdwara library`
	placePrefixWords = `st saint mount queen king prince princess prophet lady lord port fort`

	streetTypeWords = `road rd street st avenue ave lane ln close drive way crescent cres gardens gdns grove place court terrace hill rise walk
view square mews row parade green park vale croft meadow meadows approach boulevard chase gate wharf yard`
	streetLowerWords   = `road street avenue lane crescent`
	streetSurnameWords = `hill green park lane gate chase row meadow croft vale wood`

	countNounWords = `time times week weeks day days month months year years hour hours minute minutes min mins cycle cycles session sessions
people women men patients nurses doctors mg ml kg cm mm miles appointments visits rounds treatments tablets pills units percent`
	weekdayWords = `monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun`
	dateCueWords = `on dated born dob d.o.b birth birthday date`
	serviceWords = `council hospital hospice practice surgery clinic ward nhs trust pharmacy gp macmillan unit team l&d`
	nameDetWords = `the a an my our his her their your`

	stopPhraseList = `marie curie|sue ryder|florence nightingale|john radcliffe|james paget|william harvey|queen elizabeth|princess alexandra|
anna freud|edith cavell|mount vernon|guy's and|great ormond|alder hey|royal marsden|bobby moore|teenage cancer|
young lives|prostate cancer|maggie's centre|lister hospital|jo's trust|jo's cervical|maggie's|maggies|guy's|christian aid|hope for tomorrow|sue ryder's`

	postcodeAreas = `AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY
G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX
PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE`
)

// months: lower-cased month names (English, Polish, Romanian, Somali) and
// whether they may appear in lower case after a day number.
var monthNames = []struct {
	words string
	month uint8
}{
	{"january jan styczeń stycznia ianuarie janaayo", 1},
	{"february feb luty lutego februarie febraayo", 2},
	{"march mar marzec marca martie maarso", 3},
	{"april apr kwiecień kwietnia aprilie abriil", 4},
	{"may maj maja mai maajo", 5},
	{"june jun czerwiec czerwca iunie juun", 6},
	{"july jul lipiec lipca iulie luulyo", 7},
	{"august aug sierpień sierpnia agoosto", 8},
	{"september sep sept wrzesień września septembrie sebtembar", 9},
	{"october oct październik października octombrie oktoobar", 10},
	{"november nov listopad listopada noiembrie nofembar", 11},
	{"december dec grudzień grudnia decembrie diseembar", 12},
}

// English month words that are also ordinary lower-case words.
var monthNeedsCap = map[string]bool{"may": true, "mar": true, "march": true, "mai": false}

// nameCuePhrases are the phrases after which a name follows ("my name is",
// "nazywam się", "numele meu este", "magacaygu waa"). "I am" and "I'm" are
// weak cues handled separately.
var nameCuePhrases = []string{
	"name is", "name's", "name was", "called", "named", "known as",
	"nazywam się", "nazywa się", "na imię",
	"numele meu este", "numele ei este", "numele lui este", "numele său este", "mă numesc", "ma numesc", "se numește", "se numeste", "pe nume",
	"magacaygu waa", "magacayguna waa", "magaceedu waa", "magaciisu waa", "magaceeda waa", "magaciisa waa",
	"mera naam", "meri naam", "naam hai",
}

func newLexicon() (*lexicon, error) {
	lx := &lexicon{
		words:       make(map[string]wordInfo, 4096),
		stopPhrases: make(map[string]bool),
		areas:       make(map[string]bool),
		nameCues:    make(map[string][][]string),
	}
	add := func(list string, f uint32) {
		for _, w := range strings.Fields(list) {
			wi := lx.words[w]
			wi.flags |= f
			lx.words[w] = wi
		}
	}
	add(stopWords, fStop)
	add(titlePersonWords, fTitlePerson|fStop)
	add(titleStaffWords, fTitleStaff|fStop)
	add(roleWords, fRole|fStop)
	add(roleNeedsPrevWords, fRoleNeedsPrev)
	add(roleModifierWords, fRoleModifier)
	add(relationWords, fRelation|fStop)
	add(relationSelfWords, fRelation|fRelationSelf|fStop)
	add(relationTitleWords, fRelationTitle)
	add(determinerWords, fDeterminer|fStop)
	add(roPossessiveWords, fRoPossessive|fStop)
	add(orgFollowWords, fOrgFollow)
	add(placePrefixWords, fPlacePrefix)
	add(streetTypeWords, fStreetType)
	add(streetLowerWords, fStreetLower)
	add(streetSurnameWords, fSurnameToo)
	add(countNounWords, fCountNoun)
	add(weekdayWords, fWeekday)
	add(dateCueWords, fDateCue)
	add(serviceWords, fService)
	add(nameDetWords, fNameDet)
	addScriptWords(add)
	for _, e := range bengaliVerbEndings {
		lx.verbEndings = append(lx.verbEndings, lowerString(e))
	}
	for _, m := range monthNames {
		for _, w := range strings.Fields(m.words) {
			wi := lx.words[w]
			wi.month = m.month
			wi.monthLow = !monthNeedsCap[w]
			// Short English abbreviations are only months next to a day
			// number; they must not stop names on their own ("Jan").
			if len(w) > 3 || w == "may" {
				wi.flags |= fStop
			}
			lx.words[w] = wi
		}
	}
	for _, p := range strings.Split(stopPhraseList, "|") {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" {
			lx.stopPhrases[p] = true
		}
	}
	for _, a := range strings.Fields(postcodeAreas) {
		lx.areas[a] = true
	}
	for _, p := range nameCuePhrases {
		ws := strings.Fields(p)
		last := ws[len(ws)-1]
		lx.nameCues[last] = append(lx.nameCues[last], ws[:len(ws)-1])
	}

	// Given names.
	files, err := fs.Glob(nameFiles, "names/*.txt")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("moderation: no embedded name lists")
	}
	for _, f := range files {
		data, err := nameFiles.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || line[0] == '#' {
				continue
			}
			class := namePlain
			switch line[0] {
			case '~':
				class, line = nameCommon, line[1:]
			case '!':
				class, line = nameStrong, line[1:]
			}
			key := lowerString(line)
			wi := lx.words[key]
			// A name that is also a stop word (e.g. a month) is at best
			// "strong": it needs a cue.
			if wi.flags&fStop != 0 && class < nameStrong {
				class = nameStrong
			}
			if wi.nameClass == nameNone || class > wi.nameClass {
				wi.nameClass = class
			}
			lx.words[key] = wi
		}
	}
	return lx, nil
}
