package moderation

import "strings"

type emitFunc func(k Kind, start, end int)

// ValidNHSNumber reports whether digits (exactly ten ASCII digits, no
// spaces) has a valid NHS modulus-11 check digit: weights 10..2 on the
// first nine digits, check = 11 - (sum mod 11); 11 means 0 and 10 means
// the number is invalid.
func ValidNHSNumber(digits string) bool {
	if len(digits) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		c := digits[i]
		if !isDigit(c) {
			return false
		}
		if i < 9 {
			sum += int(c-'0') * (10 - i)
		}
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	if check == 10 {
		return false
	}
	return int(digits[9]-'0') == check
}

// ---- email addresses ----

func isEmailLocal(c byte) bool {
	return isASCIILetter(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isEmailDomain(c byte) bool {
	return isASCIILetter(c) || isDigit(c) || c == '.' || c == '-'
}

func scanEmails(s string, emit emitFunc) {
	lastEnd := 0
	for off := 0; off < len(s); {
		k := strings.IndexByte(s[off:], '@')
		if k < 0 {
			return
		}
		at := off + k
		off = at + 1
		l := at
		for l > lastEnd && isEmailLocal(s[l-1]) {
			l--
		}
		for l < at && (s[l] == '.' || s[l] == '-') {
			l++
		}
		if l == at {
			continue
		}
		d := at + 1
		for d < len(s) && isEmailDomain(s[d]) {
			d++
		}
		for d > at+1 && (s[d-1] == '.' || s[d-1] == '-') {
			d--
		}
		dom := s[at+1 : d]
		dot := strings.LastIndexByte(dom, '.')
		if dot <= 0 || strings.Contains(dom, "..") || dom[0] == '.' || dom[0] == '-' {
			continue
		}
		tld := dom[dot+1:]
		if len(tld) < 2 {
			continue
		}
		okTLD := true
		for i := 0; i < len(tld); i++ {
			if !isASCIILetter(tld[i]) {
				okTLD = false
				break
			}
		}
		if !okTLD {
			continue
		}
		emit(Email, l, d)
		lastEnd = d
		off = d
	}
}

// ---- digit runs: phone numbers, NHS numbers, numeric dates, long numbers ----

type group struct{ start, end int }

// scanDigits finds runs of ASCII digit groups and classifies them.
func (sc *Scanner) scanDigits(s string, emit emitFunc) {
	var groups []group
	var dbuf [32]byte
	i := 0
	for i < len(s) {
		if !isDigit(s[i]) {
			i++
			continue
		}
		start := i
		end := start
		for end < len(s) && isDigit(s[end]) {
			end++
		}
		// Digits glued to letters ("LU1", "5pm", "RD123") or to a decimal
		// point are handled elsewhere or are not identifying.
		if start > 0 && (isASCIILetter(s[start-1]) || s[start-1] == '_') {
			i = end
			continue
		}
		if start > 1 && (s[start-1] == '.' || s[start-1] == ',') && isDigit(s[start-2]) {
			i = end
			continue
		}
		// Numeric dates first.
		if k, dEnd := numericDate(s, start, end); k {
			emit(Date, start, dEnd)
			i = dEnd
			continue
		}
		if end < len(s) && isASCIILetter(s[end]) {
			i = end
			continue
		}
		// Collect a chain of groups separated by spaces, '-', '.', '(' or ')'.
		groups = append(groups[:0], group{start, end})
		total := end - start
		pos := end
		for len(groups) < 7 && total <= 16 {
			k := pos
			seps, hard := 0, 0
			for k < len(s) && seps < 3 {
				c := s[k]
				if c == ' ' || c == '(' || c == ')' {
					seps++
					k++
					continue
				}
				if c == '-' || c == '.' {
					hard++
					seps++
					k++
					continue
				}
				break
			}
			if seps == 0 || hard > 1 || k >= len(s) || !isDigit(s[k]) {
				break
			}
			e := k
			for e < len(s) && isDigit(s[e]) {
				e++
			}
			if e < len(s) && (isASCIILetter(s[e]) || (s[e] == '/' || s[e] == ':') && e+1 < len(s) && isDigit(s[e+1])) {
				break // "... 5pm", "... 9:30", "... 12/03/1961"
			}
			groups = append(groups, group{k, e})
			total += e - k
			pos = e
		}
		plus := start > 0 && s[start-1] == '+'
		paren := start > 0 && s[start-1] == '(' && end < len(s) && s[end] == ')'
		matched := false
		for n := len(groups); n >= 1; n-- {
			g := groups[:n]
			last := g[n-1].end
			if last < len(s) && (s[last] == ':' || s[last] == '/') && last+1 < len(s) && isDigit(s[last+1]) {
				continue
			}
			if n == 1 && last < len(s) && s[last] == '.' && last+1 < len(s) && isDigit(s[last+1]) {
				continue // a decimal
			}
			d := dbuf[:0]
			for _, x := range g {
				d = append(d, s[x.start:x.end]...)
				if len(d) > 16 {
					break
				}
			}
			k := classifyDigits(d, g, plus, s, start)
			if k == "" {
				continue
			}
			st := start
			if plus || paren {
				st = start - 1
			}
			emit(k, st, last)
			i = last
			matched = true
			break
		}
		if !matched {
			i = end
		}
	}
}

func classifyDigits(d []byte, g []group, plus bool, s string, start int) Kind {
	n := len(d)
	if n > 16 {
		return ""
	}
	if plus {
		if n >= 8 && n <= 15 && d[0] != '0' {
			return Phone
		}
		return ""
	}
	if n >= 2 && d[0] == '0' && d[1] == '0' {
		if n >= 10 && n <= 15 {
			return Phone
		}
		return ""
	}
	grouped334 := len(g) == 3 && g[0].end-g[0].start == 3 && g[1].end-g[1].start == 3 && g[2].end-g[2].start == 4
	if d[0] == '0' {
		switch n {
		case 11:
			return Phone
		case 10:
			if grouped334 && ValidNHSNumber(string(d)) {
				return NHSNumber
			}
			return Phone
		}
		if len(g) == 1 && n >= 7 {
			return Number
		}
		return ""
	}
	if n == 10 && (len(g) == 1 || grouped334) {
		if ValidNHSNumber(string(d)) {
			return NHSNumber
		}
		return Number
	}
	if len(g) == 1 && n >= 7 {
		return Number
	}
	return ""
}

// numericDate recognises d/m/yyyy, d-m-yy, d.m.yyyy, yyyy-mm-dd, a bare
// dd/mm after a date cue ("on 12/03", "DOB 12/03"), and ddmmyy(yy) right
// after "DOB"/"born". [start,end) is the first digit run.
func numericDate(s string, start, end int) (bool, int) {
	a := end - start
	if end >= len(s) {
		return contiguousDOB(s, start, end)
	}
	sep := s[end]
	if sep != '/' && sep != '-' && sep != '.' {
		return contiguousDOB(s, start, end)
	}
	bs := end + 1
	be := bs
	for be < len(s) && isDigit(s[be]) {
		be++
	}
	b := be - bs
	if b < 1 || b > 2 {
		return false, 0
	}
	if be < len(s) && s[be] == sep {
		cs := be + 1
		ce := cs
		for ce < len(s) && isDigit(s[ce]) {
			ce++
		}
		c := ce - cs
		if ce < len(s) && (isASCIILetter(s[ce]) || (s[ce] == sep || s[ce] == '/' || s[ce] == '.' || s[ce] == ':') && ce+1 < len(s) && isDigit(s[ce+1])) {
			return false, 0
		}
		switch {
		case a == 4 && sep == '-' && c >= 1 && c <= 2: // ISO yyyy-mm-dd
			if validYear(atoi(s[start:end])) && validDM(atoi(s[cs:ce]), atoi(s[bs:be])) {
				return true, ce
			}
		case a >= 1 && a <= 2 && (c == 2 || c == 4):
			if validDM(atoi(s[start:end]), atoi(s[bs:be])) && (c == 2 || validYear(atoi(s[cs:ce]))) {
				return true, ce
			}
		}
		return false, 0
	}
	// dd/mm with no year: only two-digit parts after a date cue.
	if sep == '/' && a == 2 && b == 2 && validDM(atoi(s[start:end]), atoi(s[bs:be])) && dateCueBefore(s, start) {
		if be < len(s) && (isASCIILetter(s[be]) || isDigit(s[be])) {
			return false, 0
		}
		return true, be
	}
	return false, 0
}

func contiguousDOB(s string, start, end int) (bool, int) {
	n := end - start
	if n != 6 && n != 8 {
		return false, 0
	}
	if end < len(s) && isASCIILetter(s[end]) {
		return false, 0
	}
	w := prevWord(s, start)
	if w != "dob" && w != "d.o.b" && w != "born" && w != "birth" {
		return false, 0
	}
	if !validDM(atoi(s[start:start+2]), atoi(s[start+2:start+4])) {
		return false, 0
	}
	if n == 8 && !validYear(atoi(s[start+4:end])) {
		return false, 0
	}
	return true, end
}

func dateCueBefore(s string, start int) bool {
	switch prevWord(s, start) {
	case "on", "dated", "born", "dob", "d.o.b", "birth", "birthday", "date", "from", "until", "till":
		return true
	}
	return false
}

// prevWord returns the lower-cased ASCII word (letters and dots) before
// position i, skipping spaces and ':' '-'. At most 12 bytes are examined.
func prevWord(s string, i int) string {
	k := i
	for k > 0 && i-k < 4 && (s[k-1] == ' ' || s[k-1] == ':' || s[k-1] == '-' || s[k-1] == '\t') {
		k--
	}
	e := k
	for k > 0 && e-k < 8 && (isASCIILetter(s[k-1]) || s[k-1] == '.') {
		k--
	}
	if k > 0 && isASCIILetter(s[k-1]) {
		return ""
	}
	w := strings.Trim(s[k:e], ".")
	if w == "" {
		return ""
	}
	var b [8]byte
	out := b[:0]
	for j := 0; j < len(w); j++ {
		c := w[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

func validDM(d, m int) bool { return d >= 1 && d <= 31 && m >= 1 && m <= 12 }
func validYear(y int) bool  { return y >= 1850 && y <= 2100 }

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
