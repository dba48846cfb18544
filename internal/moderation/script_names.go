package moderation

import "strings"

// scanScriptNames finds names written in Urdu (Arabic script) or Bengali.
// Without capitals a name is one of:
//
//   - a listed given name (names/urdu.txt, names/bengali.txt); one that is
//     also an ordinary word (~ or !: نور "light", আশা "hope") only next to
//     a cue or another listed name;
//   - any word that is not a stop word after a person title (مسز, মিসেস,
//     মোঃ, ডাঃ) or before an honorific (خان صاحب, রহিম ভাই);
//   - the word "name" (نام, নাম) followed by the name: "میرا نام X ہے",
//     "আমার নাম X।"; or preceded by it: "X نام کی نرس", "X নামের নার্স".
//
// A name after a job role is staff ("ڈاکٹر عائشہ", "ডাঃ রহমান").
func (sc *Scanner) scanScriptNames(s string, toks []token, emit emitFunc) {
	n := len(toks)
	var buf []byte
	for i := 0; i < n; i++ {
		t := &toks[i]
		if !isScriptWord(t) || t.info.flags&fStop != 0 {
			continue
		}
		class := sc.scriptNameClass(s, t, &buf)
		cue, staff := sc.scriptCueBefore(s, toks, i)
		honor := honorificAfter(s, toks, i)
		listedNext := i+1 < n && toks[i+1].gap == gapSpace && isScriptWord(&toks[i+1]) && sc.scriptNameClass(s, &toks[i+1], &buf) == namePlain
		listedPrev := i > 0 && t.gap == gapSpace && isScriptWord(&toks[i-1]) && toks[i-1].info.flags&fStop == 0 && sc.scriptNameClass(s, &toks[i-1], &buf) == namePlain

		ok := false
		switch {
		case class == namePlain:
			ok = true
		case class != nameNone:
			ok = cue != cueNone || honor || listedNext || listedPrev
		default:
			// An unlisted word needs a cue that only a name fits.
			ok = cue == cueStrong || honor || sc.namedBefore(s, toks, i)
			if !ok && cue == cueNameWord {
				if e := sc.nameClauseEnd(s, toks, i); e > i {
					k := Name
					if staff {
						k = Staff
					}
					emit(k, t.start, toks[e-1].end)
					i = e - 1
					continue
				}
			}
		}
		if !ok {
			continue
		}
		// Carry on over a surname or second name: "عائشہ خان", "রহিমা বেগম".
		e := i + 1
		for e < n && e-i < 4 && toks[e].gap == gapSpace && isScriptWord(&toks[e]) && toks[e].info.flags&fStop == 0 &&
			sc.scriptNameClass(s, &toks[e], &buf) != nameNone {
			e++
		}
		k := Name
		if staff {
			k = Staff
		}
		emit(k, t.start, toks[e-1].end)
		i = e - 1
	}
}

func isScriptWord(t *token) bool {
	return t.kind == tkWord && t.digits == 0 && (t.script == scriptArabic || t.script == scriptBengali)
}

// scriptNameClass is the word's class in the name lists; a Bengali word
// is also looked up without a case ending (রহিমকে -> রহিম).
func (sc *Scanner) scriptNameClass(s string, t *token, buf *[]byte) uint8 {
	if t.info.nameClass != nameNone || t.script != scriptBengali {
		return t.info.nameClass
	}
	w := string(lowerBytes(buf, t.text(s)))
	for _, suf := range bengaliNameSuffixes {
		if stem, ok := strings.CutSuffix(w, suf); ok && len(stem) >= 6 { // at least two letters
			if wi := sc.lex.words[stem]; wi.nameClass != nameNone && wi.flags&fStop == 0 {
				return wi.nameClass
			}
		}
	}
	return nameNone
}

const (
	cueNone     = iota
	cueWeak     // a relation or a role: enough for a listed name
	cueStrong   // a person title: enough for any word
	cueNameWord // "name" just before: a listed name, or a word that closes the clause
)

// scriptCueBefore reads the words before token i: a relation ("میری بہن"),
// a role ("ڈاکٹر"), a title ("مسز", "ডাঃ"), or the word "name" (with
// "ছিল/was" between in Bengali: "ওর নাম ছিল রহিম"). staff reports a role
// or staff title.
func (sc *Scanner) scriptCueBefore(s string, toks []token, i int) (cue int, staff bool) {
	p := i - 1
	// "ডাঃ রহমান", "ডা. রহমান": an abbreviated title with its stop.
	if p >= 1 && isPunct(s, &toks[p], ".") && toks[p].gap == gapNone && toks[p-1].info.has(fNameAfterStop) {
		return cueStrong, toks[p-1].info.has(fTitleStaff)
	}
	if p >= 0 && isPunct(s, &toks[p], ",،:") {
		p--
	}
	if p < 0 || toks[p].kind != tkWord {
		return cueNone, false
	}
	info := toks[p].info
	det := p > 0 && toks[p-1].info.has(fDeterminer)
	switch {
	case info.has(fNameAfterStop):
		return cueStrong, info.has(fTitleStaff)
	case info.has(fTitlePerson):
		return cueStrong, sc.scriptRoleBefore(toks, p)
	case info.has(fRole) && !det: // "میری سسٹر" is a sister, not a nurse
		return cueWeak, true
	case info.has(fRelation):
		return cueWeak, false
	case info.has(fNameWord):
		return cueNameWord, sc.roleOwnsName(s, toks, p)
	}
	// "ওর নাম ছিল রহিম", "اس کا نام تھا"
	if info.has(fStop) && p > 0 && toks[p-1].info.has(fNameWord) {
		return cueNameWord, sc.roleOwnsName(s, toks, p-1)
	}
	return cueNone, false
}

// roleOwnsName: the word "name" at token p is a role's: "نرس کا نام",
// "নার্সের নাম".
func (sc *Scanner) roleOwnsName(s string, toks []token, p int) bool {
	if p >= 2 && toks[p-2].info.has(fRole) {
		switch toks[p-1].text(s) {
		case "کا", "کی", "کے":
			return true
		}
	}
	if p >= 1 && toks[p-1].script == scriptBengali {
		var buf []byte
		w := string(lowerBytes(&buf, toks[p-1].text(s)))
		for _, suf := range []string{"ের", "এর", "র"} {
			if stem, ok := strings.CutSuffix(w, suf); ok && sc.lex.words[stem].has(fRole) {
				return true
			}
		}
	}
	return false
}

// scriptRoleBefore: "ڈاکٹر مسز خان", "নার্স মিসেস দাস".
func (sc *Scanner) scriptRoleBefore(toks []token, p int) bool {
	return p > 0 && toks[p-1].info.has(fRole|fTitleStaff)
}

// honorificAfter: an honorific follows token i ("خان صاحب", "রহিম ভাই").
// "جی پی" is the GP, not an honorific.
func honorificAfter(s string, toks []token, i int) bool {
	j := i + 1
	if j >= len(toks) || toks[j].gap != gapSpace || !toks[j].info.has(fHonorific) {
		return false
	}
	if toks[j].text(s) == "جی" && j+1 < len(toks) && toks[j+1].text(s) == "پی" {
		return false
	}
	return true
}

// namedBefore: "عائشہ نام کی نرس" (a nurse named Ayesha), "রহিম নামে /
// নামের একজন" (one named Rahim).
func (sc *Scanner) namedBefore(s string, toks []token, i int) bool {
	j := i + 1
	if j >= len(toks) || toks[j].gap != gapSpace || toks[j].kind != tkWord {
		return false
	}
	switch toks[j].text(s) {
	case "নামে", "নামের", "নামক":
		return true
	case "نام":
		k := j + 1
		if k < len(toks) {
			switch toks[k].text(s) {
			case "کی", "کا", "کے":
				return true
			}
		}
	}
	return false
}

// nameClauseEnd: after "name", up to three words that end the clause are
// the name: Urdu "میرا نام X (Y) ہے/تھا", Bengali "আমার নাম X (Y)।" or
// "..., ". It returns the index after the name, or i when the clause
// does not close. A Bengali verb ("নাম ডাকল।", called the name) is not a
// name.
func (sc *Scanner) nameClauseEnd(s string, toks []token, i int) int {
	n := len(toks)
	var buf []byte
	for e := i + 1; e <= i+3; e++ {
		w := &toks[e-1]
		if !isScriptWord(w) || (e > i+1 && (w.gap != gapSpace || w.info.flags&fStop != 0)) {
			return i
		}
		if w.script == scriptBengali {
			lw := string(lowerBytes(&buf, w.text(s)))
			for _, end := range sc.lex.verbEndings {
				if strings.HasSuffix(lw, end) {
					return i
				}
			}
		}
		if e >= n || toks[e].gap == gapBreak {
			if w.script == scriptBengali {
				return e
			}
			return i
		}
		t := &toks[e]
		if w.script == scriptArabic && t.kind == tkWord && t.info.has(fCopula) {
			return e
		}
		if w.script == scriptBengali && isPunct(s, t, ",।.!?;") {
			return e
		}
	}
	return i
}
