package awareness

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// allowed are the only elements a rendering may hold.
var allowed = map[string]bool{"p": true, "br": true, "hr": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"ul": true, "ol": true, "li": true, "strong": true, "em": true, "del": true, "blockquote": true, "code": true, "pre": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "a": true}

// unsafe reads the HTML as a browser would and names the first thing in it
// that could run script, load from elsewhere or restyle the page: an
// element not allowed, an event, style, id or class attribute, or a link to
// a javascript:, vbscript: or data: URL. "" means the HTML is safe.
func unsafe(s string) string {
	if strings.Contains(strings.ToLower(s), "<script") {
		return "<script"
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return ""
			}
			return z.Err().Error()
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			if !allowed[tok.Data] {
				return "<" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" || k == "id" || k == "class" || k == "src" {
					return fmt.Sprintf("%s=%q", a.Key, a.Val)
				}
				v := strings.Map(func(r rune) rune {
					if r <= ' ' {
						return -1
					}
					return r
				}, strings.ToLower(a.Val))
				for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
					if strings.HasPrefix(v, scheme) {
						return fmt.Sprintf("%s=%q", a.Key, a.Val)
					}
				}
			}
		}
	}
}

func TestRenderKeepsWhatStaffWrite(t *testing.T) {
	got := Render("# Bowel screening\n\nA **home test kit** every _2 years_.\n\n- one\n- two\n\n1. first\n\n> quoted\n\n" +
		"| Age | Test |\n|:--|--:|\n| 50 | FIT |\n\n[NHS page](https://www.nhs.uk/conditions/bowel-cancer-screening/) and [help](/support) and [call](tel:08007076060)")
	for _, want := range []string{
		"<h2>Bowel screening</h2>", "<strong>home test kit</strong>", "<em>2 years</em>", "<li>one</li>", "<ol>", "<blockquote>",
		`<th align="left">Age</th>`, `<td align="right">FIT</td>`,
		`<a href="https://www.nhs.uk/conditions/bowel-cancer-screening/" rel="noopener noreferrer">NHS page</a>`,
		`<a href="/support">help</a>`, `<a href="tel:08007076060">call</a>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rendering lacks %s:\n%s", want, got)
		}
	}
}

func TestRenderHeadingsStartAtTwo(t *testing.T) {
	if got := Render("## Who\n\n### When"); !strings.Contains(got, "<h2>Who</h2>") || !strings.Contains(got, "<h3>When</h3>") {
		t.Errorf("headings without # moved: %s", got)
	}
	if got := Render("# A\n\n## B\n\n###### F"); !strings.Contains(got, "<h2>A</h2>") || !strings.Contains(got, "<h3>B</h3>") || !strings.Contains(got, "<h6>F</h6>") {
		t.Errorf("headings with # not moved down a level: %s", got)
	}
}

func TestRenderRefusesHostileMarkdown(t *testing.T) {
	cases := map[string]struct{ in, keep string }{
		"script block":          {"<script>alert(1)</script>\n\nafter", "after"},
		"inline script":         {"text <script>alert(1)</script> more", "more"},
		"javascript link":       {"[click](javascript:alert(1))", "click"},
		"javascript mixed case": {"[click](JaVaScRiPt:alert(1))", "click"},
		"javascript entity":     {"[click](&#x6A;avascript:alert(1))", "click"},
		"javascript spaces":     {"[click]( javascript:alert(1) )", "click"},
		"javascript autolink":   {"<javascript:alert(1)>", ""},
		"vbscript":              {"[v](vbscript:msgbox(1))", "v"},
		"data link":             {"[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "d"},
		"data image":            {"![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)", "x"},
		"style block":           {"<style>body{display:none}</style>\n\nok", "ok"},
		"style attribute":       {`<p style="color:red">red</p>`, ""},
		"event attribute":       {`<a href="https://x.org" onclick="alert(1)">x</a> <b onmouseover=alert(1)>b</b>`, ""},
		"iframe":                {`<iframe src="https://evil.example/"></iframe>`, ""},
		"raw html block":        {"<div>\n<img src=x onerror=alert(1)>\n</div>", ""},
		"svg":                   {`<svg onload=alert(1)><circle/></svg>`, ""},
		"external image":        {"![tracking pixel](https://evil.example/p.png)", "tracking pixel"},
		"heading attributes":    {"## Title {#main .evil onclick=x}", "Title"},
		"form":                  {`<form action="https://evil.example"><input name=x></form>`, ""},
		"html comment":          {"<!-- <script>alert(1)</script> -->", ""},
		"link title quote":      {`[t](https://x.org "a\" onmouseover=\"alert(1)")`, "t"},
		"base tag":              {`<base href="https://evil.example/">`, ""},
		"meta refresh":          {`<meta http-equiv="refresh" content="0;url=https://evil.example">`, ""},
	}
	for name, c := range cases {
		got := Render(c.in)
		if m := unsafe(got); m != "" {
			t.Errorf("%s: rendering holds %s:\n%s", name, m, got)
		}
		if c.keep != "" && !strings.Contains(got, c.keep) {
			t.Errorf("%s: rendering lost the text %q:\n%s", name, c.keep, got)
		}
	}
}

func TestImagesBecomeLinks(t *testing.T) {
	got := Render("![Screening kit](https://www.nhs.uk/kit.png)")
	want := `<a href="https://www.nhs.uk/kit.png" rel="noopener noreferrer">Screening kit</a>`
	if !strings.Contains(got, want) || strings.Contains(got, "<img") {
		t.Errorf("image: %s, want %s", got, want)
	}
}

func TestAutolinksAreMarkedExternal(t *testing.T) {
	for _, in := range []string{"See www.nhs.uk today", "See https://www.nhs.uk/ today", "See <https://www.nhs.uk/>"} {
		got := Render(in)
		if !strings.Contains(got, `rel="noopener noreferrer"`) || !strings.Contains(got, `href="http`) {
			t.Errorf("%q: %s", in, got)
		}
	}
	if got := Render("<mailto:screening@example.org>"); !strings.Contains(got, `href="mailto:screening@example.org"`) || strings.Contains(got, "noopener") {
		t.Errorf("mail link: %s", got)
	}
}

// The checker itself must see what it is there to catch.
func TestUnsafeCatches(t *testing.T) {
	for _, s := range []string{`<script>x</script>`, `<p onclick="x">`, `<a href=" JavaScript:x">`, `<a href="data:text/html,x">`,
		`<img src="/x.png">`, `<p style="color:red">`, `<h2 id="main">`, `<iframe></iframe>`, `<SCRIPT>`} {
		if unsafe(s) == "" {
			t.Errorf("unsafe(%s) = \"\"", s)
		}
	}
	if m := unsafe(`<p>javascript: onclick= &lt;script&gt;</p><a href="https://x.org" rel="noopener noreferrer">x</a>`); m != "" {
		t.Errorf("safe HTML called unsafe: %s", m)
	}
}

// FuzzRender: whatever staff type, the rendering never panics and never
// holds a script, a style, an event attribute or a javascript: URL.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"# Title\n\ntext", "<script>alert(1)</script>", "[x](javascript:alert(1))", "![a](https://e.x/i.png)",
		"<a href=\"x\" onclick=\"y\">z</a>", "| a |\n|--|\n| <b style=\"x\">1</b> |", "```html\n<script>\n```",
		"[x](<javascript:alert(1)>)", "<https://x.org/\"onmouseover=\"alert(1)>", "~~del~~ www.example.org/\"><script>",
		"<details open ontoggle=alert(1)>", "[a]: javascript:alert(1)\n\n[b][a]", "\x00<scr\x00ipt>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := Render(in)
		if m := unsafe(got); m != "" {
			t.Fatalf("Render(%q) holds %s:\n%s", in, m, got)
		}
	})
}

// BenchmarkRender is the cost of saving a text (rendering happens then,
// never when a page is shown): the longest demo page.
func BenchmarkRender(b *testing.B) {
	b.ReportAllocs()
	src := string(must(demoFS.ReadFile("demo/interpreter-at-the-gp.en.md")))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if Render(src) == "" {
			b.Fatal("empty rendering")
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
