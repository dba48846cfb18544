package moderation

import (
	"strings"
	"unicode/utf8"
)

// scanTokens runs the token-level rules: postcodes and alphanumeric
// reference numbers, written dates, street addresses, then names and staff.
func (sc *Scanner) scanTokens(s string, toks []token, emit emitFunc) {
	sc.scanPostcodes(s, toks, emit)
	scanTextDates(s, toks, emit)
	scanAddresses(s, toks, emit)
	sc.scanNames(s, toks, emit)
	sc.scanScriptNames(s, toks, emit)
}

func (t *token) text(s string) string { return s[t.start:t.end] }

func isPunct(s string, t *token, set string) bool {
	return t.kind == tkPunct && strings.Contains(set, s[t.start:t.end])
}

// ---- postcodes and alphanumeric reference numbers ----

// outwardArea returns the area letters of an outward code ("LU1" -> "LU",
// "EC1A" -> "EC") if w has the shape of one and the area exists.
func (sc *Scanner) outwardArea(w string) (string, bool) {
	if len(w) < 2 || len(w) > 4 {
		return "", false
	}
	na := 0
	for na < len(w) && isASCIILetter(w[na]) {
		na++
	}
	if na < 1 || na > 2 {
		return "", false
	}
	rest := w[na:]
	switch {
	case len(rest) == 1 && isDigit(rest[0]):
	case len(rest) == 2 && isDigit(rest[0]) && (isDigit(rest[1]) || isASCIILetter(rest[1])):
	default:
		return "", false
	}
	var b [2]byte
	for k := 0; k < na; k++ {
		b[k] = w[k] &^ 0x20
	}
	area := string(b[:na])
	return area, sc.lex.areas[area]
}

// isInward reports whether w is an inward code: digit + two letters, the
// letters excluding C I K M O V.
func isInward(w string) bool {
	if len(w) != 3 || !isDigit(w[0]) {
		return false
	}
	for k := 1; k < 3; k++ {
		c := w[k]
		if !isASCIILetter(c) || strings.IndexByte("CIKMOVcikmov", c) >= 0 {
			return false
		}
	}
	return true
}

func letterCase(w string) (upper, lower bool) {
	upper, lower = true, true
	for k := 0; k < len(w); k++ {
		c := w[k]
		if c >= 'a' && c <= 'z' {
			upper = false
		} else if c >= 'A' && c <= 'Z' {
			lower = false
		}
	}
	return
}

func (sc *Scanner) scanPostcodes(s string, toks []token, emit emitFunc) {
	n := len(toks)
	for i := 0; i < n; i++ {
		t := &toks[i]
		if t.kind != tkWord || t.digits == 0 || t.letters == 0 || t.end-t.start > 12 {
			continue
		}
		w := t.text(s)
		if area, ok := sc.outwardArea(w); ok {
			if i+1 < n && toks[i+1].gap == gapSpace && toks[i+1].kind == tkWord {
				in := toks[i+1].text(s)
				if isInward(in) {
					u1, l1 := letterCase(w)
					u2, l2 := letterCase(in)
					if (u1 && u2) || (l1 && l2) {
						emit(Postcode, t.start, toks[i+1].end)
						i++
						continue
					}
				}
			}
			if len(area) == 2 && t.upper {
				emit(PostcodeDistrict, t.start, t.end)
			}
			continue
		}
		// A full postcode written without its space ("LU12BQ").
		if t.upper && len(w) >= 5 && len(w) <= 7 {
			if _, ok := sc.outwardArea(w[:len(w)-3]); ok && isInward(w[len(w)-3:]) {
				emit(Postcode, t.start, t.end)
				continue
			}
		}
		// Alphanumeric reference numbers such as hospital numbers: up to
		// three letters then six or more digits ("RD12345678").
		if t.letters <= 3 && t.digits >= 6 && t.letters+t.digits == t.end-t.start {
			k := 0
			for k < len(w) && isASCIILetter(w[k]) {
				k++
			}
			allDigits := k > 0
			for _, c := range []byte(w[k:]) {
				if !isDigit(c) {
					allDigits = false
					break
				}
			}
			if allDigits {
				emit(Number, t.start, t.end)
			}
		}
	}
}

// ---- written dates ----

// dayValue returns the day number of a token "12", "3rd", "21st".
func dayValue(s string, t *token) (day int, ordinal bool) {
	w := t.text(s)
	switch {
	case t.kind == tkNum && len(w) <= 2:
		day = atoi(w)
	case t.kind == tkWord && t.digits >= 1 && t.digits <= 2 && t.letters == 2 && len(w) == t.digits+2:
		suf := strings.ToLower(w[t.digits:])
		if suf != "st" && suf != "nd" && suf != "rd" && suf != "th" {
			return 0, false
		}
		day, ordinal = atoi(w[:t.digits]), true
	default:
		return 0, false
	}
	if day < 1 || day > 31 {
		return 0, false
	}
	return day, ordinal
}

func isMonthTok(t *token, needCap bool) bool {
	if t.kind != tkWord || t.digits != 0 || t.info.month == 0 {
		return false
	}
	if t.cap || t.upper {
		return true
	}
	return !needCap && t.info.monthLow
}

func isYearTok(s string, t *token) bool {
	return t.kind == tkNum && t.end-t.start == 4 && validYear(atoi(t.text(s)))
}

// yearAfter extends a date ending at token index e-1 over ", 1961" or " 1961".
func yearAfter(s string, toks []token, e int) int {
	n := len(toks)
	if e < n && isPunct(s, &toks[e], ",") && toks[e].gap == gapNone && e+1 < n && toks[e+1].gap == gapSpace && isYearTok(s, &toks[e+1]) {
		return e + 2
	}
	if e < n && toks[e].gap == gapSpace && isYearTok(s, &toks[e]) {
		return e + 1
	}
	return e
}

func isWord(s string, t *token, w string) bool {
	return t.kind == tkWord && strings.EqualFold(t.text(s), w)
}

func scanTextDates(s string, toks []token, emit emitFunc) {
	n := len(toks)
	for i := 0; i < n; i++ {
		t := &toks[i]
		if t.kind != tkNum && t.kind != tkWord {
			continue
		}
		// Day first: "12 March 1961", "3rd May", "2nd of October", "12. marca".
		if day, _ := dayValue(s, t); day > 0 {
			{
				j := i + 1
				if j < n && isPunct(s, &toks[j], ".") && toks[j].gap == gapNone {
					j++
				}
				if j < n && isWord(s, &toks[j], "of") && toks[j].gap == gapSpace {
					j++
				}
				if j < n && toks[j].gap == gapSpace && isMonthTok(&toks[j], false) {
					e := yearAfter(s, toks, j+1)
					emit(Date, t.start, toks[e-1].end)
					i = e - 1
					continue
				}
			}
		}
		if t.kind != tkWord || t.digits != 0 {
			continue
		}
		// Month first: "March 12, 1961", "June 5th".
		if isMonthTok(t, true) && i+1 < n && toks[i+1].gap == gapSpace {
			d := &toks[i+1]
			if day, _ := dayValue(s, d); day > 0 && !numberContinues(s, toks, i+2) {
				e := yearAfter(s, toks, i+2)
				emit(Date, t.start, toks[e-1].end)
				i = e - 1
				continue
			}
		}
		// Weekday + ordinal: "Monday 12th", "Tuesday the 3rd".
		if t.info.has(fWeekday) && t.cap {
			j := i + 1
			if j < n && isPunct(s, &toks[j], ",") {
				j++
			}
			if j < n && isWord(s, &toks[j], "the") {
				j++
			}
			if j < n && toks[j].gap == gapSpace {
				if _, ord := dayValue(s, &toks[j]); ord {
					emit(Date, t.start, toks[j].end)
					i = j
				}
			}
		}
	}
}

// numberContinues reports whether the day number before token k is really
// a count or part of a longer figure: "March 3 times", "May 20 mg", "June 9:30".
func numberContinues(s string, toks []token, k int) bool {
	if k >= len(toks) {
		return false
	}
	t := &toks[k]
	if t.kind == tkWord && t.info.has(fCountNoun) {
		return true
	}
	if t.gap == gapNone && isPunct(s, t, ":./-%") && k+1 < len(toks) && toks[k+1].gap == gapNone {
		return true
	}
	return false
}

// ---- street addresses ----

var addressCueWords = map[string]bool{"at": true, "on": true, "live": true, "lives": true, "living": true, "address": true, "is": true, "to": true, "from": true}

func scanAddresses(s string, toks []token, emit emitFunc) {
	n := len(toks)
	for i := 0; i < n; i++ {
		t := &toks[i]
		// House number: "12", "12a", "12-14".
		switch {
		case t.kind == tkNum && t.end-t.start <= 4 && atoi(t.text(s)) > 0:
		case t.kind == tkWord && t.letters == 1 && t.digits >= 1 && t.digits <= 4 && isDigit(s[t.start]):
		default:
			continue
		}
		j := i + 1
		if j+1 < n && isPunct(s, &toks[j], "-–") && toks[j].gap == gapNone && toks[j+1].kind == tkNum && toks[j+1].gap == gapNone {
			j += 2
		}
		lowerOK := false
		if i > 0 && toks[i-1].kind == tkWord {
			var b [8]byte
			w := toks[i-1].text(s)
			if len(w) <= len(b) {
				lowerOK = addressCueWords[string(lowerBytesFixed(b[:0], w))]
			}
		}
		words, lowerMode := 0, false
		for ; j < n && words <= 4; j++ {
			tk := &toks[j]
			if tk.gap != gapSpace || tk.kind != tkWord || tk.digits != 0 {
				break
			}
			if words >= 1 && tk.info.has(fStreetType) && (tk.cap || tk.upper || (lowerMode && tk.info.has(fStreetLower))) {
				emit(Address, t.start, tk.end)
				i = j
				break
			}
			if tk.cap || tk.upper {
				if lowerMode {
					break
				}
				words++
				continue
			}
			if lowerOK && (words == 0 || lowerMode) && !tk.info.has(fStop|fCountNoun) {
				lowerMode = true
				words++
				continue
			}
			break
		}
	}
}

func lowerBytesFixed(b []byte, w string) []byte {
	for k := 0; k < len(w); k++ {
		c := w[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// ---- names and staff ----

var surnameSuffixes = []string{"ski", "ska", "cki", "cka", "dzki", "dzka", "wicz", "czyk", "czak", "escu", "eanu"}

func (sc *Scanner) scanNames(s string, toks []token, emit emitFunc) {
	n := len(toks)
	var buf []byte
	for i := 0; i < n; i++ {
		t := &toks[i]
		if t.kind != tkWord || t.digits != 0 || t.script != scriptLatin {
			continue // Urdu and Bengali words: scanScriptNames
		}
		info := t.info

		// (a) Staff titles and job roles: "Dr Khan", "nurse Anna",
		// "The receptionist, Kelly,", "Pielęgniarka Ewa".
		if sc.isStaffCue(s, toks, i) {
			j := i + 1
			if j < n && isPunct(s, &toks[j], ".") && toks[j].gap == gapNone {
				j++
			}
			if j < n && isPunct(s, &toks[j], ",:-–") {
				j++
			}
			if j < n && (toks[j].info.has(fTitlePerson|fTitleStaff|fRole) && toks[j].info.nameClass == nameNone) {
				continue // "consultant Mr Patel": the title rule takes it, with this role as context
			}
			if st, e, _ := capRun(toks, j, true); e > st {
				emit(Staff, toks[st].start, toks[e-1].core)
				i = e - 1
				continue
			}
			if j < n && j == i+1 && isLowerName(&toks[j]) {
				emit(Staff, toks[j].start, toks[j].core)
				i = j
				continue
			}
		}

		// (b) Person titles: "Mrs Begum", "consultant Mr Patel", "Pani doktor Kowalska".
		if info.has(fTitlePerson) {
			j := i + 1
			if j < n && isPunct(s, &toks[j], ".") && toks[j].gap == gapNone {
				j++
			}
			staff := false
			if j < n && toks[j].kind == tkWord && toks[j].info.has(fTitleStaff|fRole) {
				staff = true
				j++
				if j < n && isPunct(s, &toks[j], ".") && toks[j].gap == gapNone {
					j++
				}
			}
			if st, e, _ := capRun(toks, j, true); e > st {
				k := Name
				if staff || sc.roleBefore(s, toks, i) || sc.roleAfter(s, toks, e) || fromService(s, toks, e) {
					k = Staff
				}
				emit(k, toks[st].start, toks[e-1].core)
				i = e - 1
			}
			continue
		}

		// (c) Family and friends: "my husband Tomasz", "Soțul meu Ion",
		// "Hooyaday Sahra", "Uncle Delroy", "meri beti Ayesha".
		if info.has(fRelation) {
			det := i > 0 && toks[i-1].kind == tkWord && toks[i-1].info.has(fDeterminer)
			j := i + 1
			ro := j < n && toks[j].kind == tkWord && toks[j].info.has(fRoPossessive)
			if ro {
				j++
			}
			ok := det || ro || info.has(fRelationSelf) || (info.has(fRelationTitle) && t.cap)
			if ok {
				if j < n && isPunct(s, &toks[j], ",:-–") {
					j++
				}
				if j < n && toks[j].info.has(fTitlePerson|fTitleStaff|fRole) && toks[j].info.nameClass == nameNone {
					continue
				}
				if st, e, _ := capRun(toks, j, true); e > st {
					emit(Name, toks[st].start, toks[e-1].core)
					i = e - 1
					continue
				}
				if j < n && isLowerName(&toks[j]) {
					emit(Name, toks[j].start, toks[j].core)
					i = j
					continue
				}
			}
		}

		// (d) "my name is ...", "a nurse called ...", "nazywam się ...",
		// "numele meu este ...", "magacaygu waa ...", "I am ...".
		if i+1 < n && toks[i+1].kind == tkWord {
			buf = lowerBytes(&buf, t.text(s))
			if prefixes, ok := sc.lex.nameCues[string(buf)]; ok {
				for _, pre := range prefixes {
					if !precededBy(s, toks, i, pre) {
						continue
					}
					j := i + 1
					cueStart := i - len(pre)
					if st, e, _ := capRun(toks, j, true); e > st {
						k := Name
						if sc.roleBefore(s, toks, cueStart) {
							k = Staff
						}
						emit(k, toks[st].start, toks[e-1].core)
						i = e - 1
					} else if isLowerName(&toks[j]) {
						emit(Name, toks[j].start, toks[j].core)
						i = j
					}
					break
				}
				if i >= n || toks[i].start > t.start {
					continue
				}
			}
			// Weak cue "I am X" / "I'm X": X must be a listed name or a
			// two-word capitalised name.
			if string(buf) == "i'm" || (string(buf) == "am" && i > 0 && s[toks[i-1].start:toks[i-1].end] == "I") {
				if st, e, _ := capRun(toks, i+1, true); e > st {
					listed := false
					for k := st; k < e; k++ {
						if c := toks[k].info.nameClass; c == namePlain || c == nameCommon {
							listed = true
						}
						if toks[k].info.has(fStop) && toks[k].info.nameClass == nameNone {
							listed = false
							e = st
							break
						}
					}
					if e > st && (listed || e-st >= 2 || endsClause(s, toks, e)) {
						emit(Name, toks[st].start, toks[e-1].core)
						i = e - 1
						continue
					}
				}
			}
		}

		if !t.cap {
			continue
		}

		// (e) Listed given names, with a following surname.
		if c := info.nameClass; c != nameNone {
			nextSurname := i+1 < n && toks[i+1].gap == gapSpace && isSurnameTok(&toks[i+1])
			accept := c == namePlain || (c == nameCommon && (!t.sent || nextSurname)) || (c == nameStrong && nextSurname)
			if accept && !sc.placeOrOrg(s, toks, i, &buf) {
				st := i
				if i > 0 && t.gap == gapSpace {
					p := &toks[i-1]
					if isSurnameTok(p) && (!p.sent || p.info.nameClass == namePlain) && !(i > 1 && toks[i-2].info.has(fPlacePrefix) && toks[i-2].cap) {
						st = i - 1
					}
				}
				_, e, org := capRun(toks, i, true)
				if e <= i {
					e = i + 1
				}
				if !org {
					k := Name
					if sc.roleBefore(s, toks, st) || sc.roleAfter(s, toks, e) || fromService(s, toks, e) {
						k = Staff
					}
					emit(k, toks[st].start, toks[e-1].core)
				}
				i = e - 1
				continue
			}
		}

		// (f) Polish and Romanian surname endings: "Kowalska", "Popescu".
		if !t.sent && !info.has(fStop) && utf8.RuneCountInString(s[t.start:t.core]) >= 5 {
			w := s[t.start:t.core]
			for _, suf := range surnameSuffixes {
				if strings.HasSuffix(w, suf) {
					_, e, org := capRun(toks, i, true)
					if e <= i {
						e = i + 1
					}
					if !org {
						k := Name
						if sc.roleBefore(s, toks, i) || sc.roleAfter(s, toks, e) || fromService(s, toks, e) {
							k = Staff
						}
						emit(k, t.start, toks[e-1].core)
					}
					i = e - 1
					break
				}
			}
		}
	}
}

// endsClause: token e ends the clause that a one-word name closes
// ("I am Bronwen, aged 71", "I'm Aurelia and ...").
func endsClause(s string, toks []token, e int) bool {
	if e >= len(toks) || toks[e].gap == gapBreak {
		return true
	}
	t := &toks[e]
	return isPunct(s, t, ",.;!?") || isWord(s, t, "and") || isWord(s, t, "here")
}

// isStaffCue reports whether token i is a staff title or a job role.
func (sc *Scanner) isStaffCue(s string, toks []token, i int) bool {
	t := &toks[i]
	info := t.info
	if info.has(fRole) {
		return true
	}
	if info.has(fTitleStaff) {
		return true
	}
	if info.has(fRoleNeedsPrev) && i > 0 && toks[i-1].info.has(fRoleModifier) {
		return true
	}
	// "Sister Jones" (a ward sister), but not "my sister Nasreen".
	if t.cap && strings.EqualFold(s[t.start:t.core], "sister") {
		return !(i > 0 && toks[i-1].info.has(fDeterminer))
	}
	return false
}

// isNameTok: a capitalised word that can be part of a name.
func isNameTok(t *token) bool {
	if t.kind != tkWord || t.digits != 0 || !t.cap {
		return false
	}
	if t.info.has(fStop) && t.info.nameClass == nameNone {
		return false
	}
	return true
}

// isSurnameTok: a capitalised word that can follow a given name.
func isSurnameTok(t *token) bool {
	if !isNameTok(t) {
		return false
	}
	if t.info.has(fOrgFollow|fPlacePrefix|fTitlePerson|fTitleStaff|fRole|fRelation) && t.info.nameClass == nameNone {
		return false
	}
	if t.info.has(fStreetType) && !t.info.has(fSurnameToo) {
		return false
	}
	return true
}

// isLowerName: a lower-case word that is a listed name and nothing else
// ("my husband tomasz").
func isLowerName(t *token) bool {
	return t.kind == tkWord && t.digits == 0 && !t.cap && !t.upper && t.info.nameClass == namePlain && t.info.flags == 0
}

// capRun returns the run of name words starting at token j (at most four,
// separated by spaces). org reports that the run is followed by, or ends
// in, an organisation or street word ("Anna Freud Centre", "Grace Road").
func capRun(toks []token, j int, strong bool) (start, end int, org bool) {
	n := len(toks)
	k := j
	count := 0
	for k < n && count < 4 {
		t := &toks[k]
		if count > 0 && t.gap != gapSpace {
			break
		}
		if count > 0 && t.kind == tkWord && t.cap && (t.info.has(fOrgFollow) || (t.info.has(fStreetType) && !t.info.has(fSurnameToo))) {
			org = true
			break
		}
		if count == 0 {
			if !isNameTok(t) || (!strong && t.sent) {
				break
			}
		} else if !isSurnameTok(t) {
			break
		}
		count++
		k++
		// An initial: "Dr J. Smith".
		if t.letters == 1 && k+1 < n && toks[k].kind == tkPunct && toks[k].end-toks[k].start == 1 && toks[k].gap == gapNone && isNameTok(&toks[k+1]) && toks[k+1].gap == gapSpace {
			k++
		}
	}
	if count == 0 {
		return j, j, false
	}
	if k < n && toks[k].gap == gapSpace && toks[k].kind == tkWord && toks[k].info.has(fOrgFollow) {
		org = true
	}
	return j, k, org
}

// placeOrOrg reports whether the name at token i is part of a place or an
// organisation: "St Mary", "Mount Vernon", "Marie Curie", "Maggie's Centre".
func (sc *Scanner) placeOrOrg(s string, toks []token, i int, buf *[]byte) bool {
	if i > 0 {
		p := &toks[i-1]
		if p.kind == tkPunct && s[p.start] == '.' && i > 1 {
			p = &toks[i-2]
		}
		if p.kind == tkWord && p.cap && p.info.has(fPlacePrefix) {
			return true
		}
	}
	t := &toks[i]
	if sc.lex.stopPhrases[string(lowerBytes(buf, t.text(s)))] {
		return true // "Maggie's" (the cancer charity)
	}
	if i+1 < len(toks) && toks[i+1].kind == tkWord && toks[i+1].gap == gapSpace {
		b := append((*buf)[:0], lowerBytes(buf, s[t.start:t.end])...)
		b = append(b, ' ')
		var tmp []byte
		b = append(b, lowerBytes(&tmp, toks[i+1].text(s))...)
		*buf = b
		if sc.lex.stopPhrases[string(b)] {
			return true
		}
	}
	return false
}

// precededBy reports whether the words before token i are pre (lower case).
func precededBy(s string, toks []token, i int, pre []string) bool {
	k := i - 1
	for p := len(pre) - 1; p >= 0; p-- {
		if k < 0 || toks[k].kind != tkWord || !strings.EqualFold(toks[k].text(s), pre[p]) {
			return false
		}
		k--
	}
	return true
}

var roleLookbackSkip = map[string]bool{"called": true, "named": true, "is": true, "was": true, "name": true, "known": true, "as": true}

// roleBefore reports whether a job role or staff title comes just before
// token k ("consultant Mr Patel", "a nurse called Anna").
func (sc *Scanner) roleBefore(s string, toks []token, k int) bool {
	var b [8]byte
	for p := k - 1; p >= 0 && p >= k-5; p-- {
		t := &toks[p]
		if t.kind == tkPunct {
			if isPunct(s, t, ",:-–(") {
				continue
			}
			return false
		}
		if t.kind != tkWord {
			return false
		}
		if sc.isStaffCue(s, toks, p) {
			return true
		}
		if t.info.has(fTitlePerson) {
			continue
		}
		w := t.text(s)
		if len(w) <= len(b) && roleLookbackSkip[string(lowerBytesFixed(b[:0], w))] {
			continue
		}
		return false
	}
	return false
}

// roleAfter reports whether a role follows the name ending before token e:
// "Lorraine, my CNS", "Miss Ogunleye, the breast surgeon".
func (sc *Scanner) roleAfter(s string, toks []token, e int) bool {
	n := len(toks)
	k := e
	comma := false
	if k < n && isPunct(s, &toks[k], ",–-(") {
		comma = true
		k++
	}
	det := false
	if k < n && toks[k].kind == tkWord && toks[k].info.has(fNameDet) {
		det = true
		k++
	}
	if !comma && !det {
		return false
	}
	for m := 0; m < 4 && k < n; m++ {
		t := &toks[k]
		if t.kind != tkWord {
			return false
		}
		if sc.isStaffCue(s, toks, k) {
			return true
		}
		if t.info.has(fRelation) {
			return false
		}
		k++
	}
	return false
}

// fromService: "Ms Kaur from the council", "Anna from the hospice".
func fromService(s string, toks []token, e int) bool {
	n := len(toks)
	k := e
	if k >= n || !isWord(s, &toks[k], "from") {
		return false
	}
	k++
	if k < n && toks[k].kind == tkWord && toks[k].info.has(fNameDet) {
		k++
	}
	return k < n && toks[k].kind == tkWord && toks[k].info.has(fService)
}
