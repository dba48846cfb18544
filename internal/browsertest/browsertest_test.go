package browsertest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const accessiblePage = `<!doctype html>
<html lang="pl">
<head><meta charset="utf-8"><title>Zgłoszenie — hearme</title></head>
<body>
<main>
<h1>Zgłoszenie</h1>
<form method="post" action="/">
<label for="name">Imię i nazwisko</label>
<input id="name" name="name" type="text" autocomplete="name">
<button type="submit">Wyślij</button>
</form>
</main>
</body>
</html>`

// brokenPage has no lang attribute, an image without alt text and an input
// without a label.
const brokenPage = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Broken</title></head>
<body>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==">
<input type="text" name="q">
</body>
</html>`

// shared is the browser of this package's tests but TestScreenshot, which
// starts one of its own with New.
var shared Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Close()
	os.Exit(code)
}

func server(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(body))
		}
	}
	mux.HandleFunc("GET /ok", page(accessiblePage))
	mux.HandleFunc("GET /broken", page(brokenPage))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestAxeAccessiblePage(t *testing.T) {
	t.Parallel()
	axe := AxeJS(t)
	srv := server(t)
	ctx := shared.Tab(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ok")); err != nil {
		t.Fatal(err)
	}
	vs, err := RunAxe(ctx, axe)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Fatalf("want no violations, got %s", FormatViolations(vs))
	}
	// A second run on the same page reuses the injected axe.
	if vs, err := RunAxe(ctx, axe); err != nil || len(vs) != 0 {
		t.Fatalf("second run: %v %s", err, FormatViolations(vs))
	}
	AssertAccessible(t, ctx)
}

func TestAxeBrokenPage(t *testing.T) {
	t.Parallel()
	axe := AxeJS(t)
	srv := server(t)
	ctx := shared.Tab(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/broken")); err != nil {
		t.Fatal(err)
	}
	vs, err := RunAxe(ctx, axe)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("found (as expected):\n%s", FormatViolations(vs))
	ids := ViolationIDs(vs)
	for _, want := range []string{"image-alt", "label", "html-has-lang"} {
		if !slices.Contains(ids, want) {
			t.Errorf("violation %q not reported; got %v", want, ids)
		}
	}
	for _, v := range vs {
		if v.Impact == "" || v.Help == "" || len(v.Nodes) == 0 {
			t.Errorf("violation %q lacks impact, help or nodes: %+v", v.ID, v)
		}
		switch v.ID {
		case "image-alt":
			if got := v.Nodes[0].Target; !slices.Equal(got, []string{"img"}) {
				t.Errorf("image-alt target = %q, want [img]", got)
			}
		case "label":
			if got := strings.Join(v.Nodes[0].Target, " "); !strings.Contains(got, "input") {
				t.Errorf("label target = %q, want the input", got)
			}
		}
	}
	msg := FormatViolations(vs)
	for _, want := range []string{"image-alt", "html-has-lang", "img"} {
		if !strings.Contains(msg, want) {
			t.Errorf("FormatViolations lacks %q:\n%s", want, msg)
		}
	}
}

func TestInsertTextKeepsPolishLetters(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := shared.Tab(t)
	const text = "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ"
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/ok"),
		chromedp.Focus(chromedp.ID("name")),
		InsertText(text),
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("name")))
	if err != nil {
		t.Fatal(err)
	}
	if got != text {
		t.Fatalf("input value = %q, want %q", got, text)
	}
}

func TestScreenshot(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ok")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "shots", "ok.png")
	if err := Screenshot(ctx, path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 1000 {
		t.Fatalf("%s is not a plausible PNG (%d bytes)", path, len(b))
	}
}

func TestFormatViolations(t *testing.T) {
	t.Parallel()
	if got := FormatViolations(nil); got != "no accessibility violations" {
		t.Errorf("FormatViolations(nil) = %q", got)
	}
	got := FormatViolations([]Violation{{
		ID: "label", Impact: "critical", Help: "Form elements must have labels",
		HelpURL: "about:blank",
		Nodes:   []ViolationNode{{Target: []string{"input[name=\"q\"]"}, HTML: "<input\n  type=\"text\" name=\"q\">"}},
	}})
	for _, want := range []string{"1 accessibility violation", "[critical] label: Form elements must have labels", `input[name="q"]`, `<input type="text" name="q">`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// Tabs of the shared browser are apart: a cookie set in one is not sent
// from another, even while both run.
func TestSharedTabsAreApart(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "who", Value: "first", Path: "/"})
		_, _ = w.Write([]byte("<!doctype html><title>set</title>"))
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("who")
		v := "none"
		if err == nil {
			v = c.Value
		}
		_, _ = w.Write([]byte("<!doctype html><title>" + v + "</title>"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	first, second := shared.Tab(t), shared.Tab(t)
	if err := chromedp.Do(first, chromedp.Navigate(srv.URL+"/set")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		want string
	}{{"first", first, "first"}, {"second", second, "none"}} {
		if err := chromedp.Do(c.ctx, chromedp.Navigate(srv.URL+"/read")); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(c.ctx, chromedp.Title())
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s tab sends cookie %q, want %q", c.name, got, c.want)
		}
	}
}
