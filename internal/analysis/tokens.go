package analysis

import (
	"strings"
	"unicode"
)

// stopwords are the commonest function words of the programme's
// languages. They carry no theme, and left in they would make every
// suggestion explain itself with "the" or "i".
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range []string{
		// English
		"the a an and or but if so to of in on at for with from by was were is are be been being it its i me my we our you your he she his her they them their this that these those there here had has have do did does not no yes as than then very just about after before when what which who how all any some more most into out up down over again also can could would should will",
		// Polish
		"i w z na do nie się że to jak ale o od po za przez dla co mnie mi mój moja moje jest był była było byli są jestem ja ty on ona oni my wy tak już też tylko bardzo czy gdy kiedy który która które jego jej ich ten ta te tam tu",
		// Romanian
		"și în la de cu pe nu că mi am a au o un una este era sunt eu el ea ei noi voi mai foarte ce care când cum dar sau din pentru fost fi prin lui lor meu mea mele acest această acolo aici",
		// Somali
		"iyo oo ka ku u in ay waa aan baan ayaa ahaa waxa wax uu ay ee la si aad waxaan anigu aniga hadda ma mid kale kuwa kale",
		// Urdu
		"اور کے کی کا میں سے کو نے پر ہے تھا تھی تھے ہیں ہوں ہو یہ وہ جو کہ بھی نہیں تو ایک اس ان مجھے میرا میری میرے ہم تک گیا گئی کر کیا کرنے",
		// Bengali
		"এবং ও আর কিন্তু যে এই সেই আমি আমার আমাকে আমরা তিনি তার তারা না হয় হয়েছিল ছিল ছিলেন করে করা থেকে জন্য সঙ্গে কাছে একটি এক কোনো খুব তো",
	} {
		for _, w := range strings.Fields(list) {
			m[w] = true
		}
	}
	return m
}()

// stemLen is where long words are cut to make a second feature, so that
// Polish and Romanian endings (czekałam, czekaliśmy; așteptat, așteptare)
// still meet the same evidence.
const stemLen = 5

// Tokens returns the features of a text: lower-cased words of two or more
// letters that are not stop words, plus a cut stem of each long word.
// Letters include combining marks, so Urdu and Bengali words stay whole.
func Tokens(text string) []string {
	var out []string
	var word []rune
	flush := func() {
		if len(word) >= 2 {
			w := string(word)
			if !stopwords[w] {
				out = append(out, w)
				if len(word) > stemLen+1 {
					out = append(out, string(word[:stemLen])+"~")
				}
			}
		}
		word = word[:0]
	}
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '\u200c' || r == '\u200d' {
			word = append(word, r)
			continue
		}
		flush()
	}
	flush()
	return out
}
