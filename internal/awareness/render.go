package awareness

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Rendering is done in two steps, each of which would be enough alone:
//
//  1. goldmark turns Markdown into HTML without raw HTML (html.WithUnsafe
//     is never set: an HTML block or tag in the Markdown is dropped, and
//     javascript:, vbscript:, file: and data: links are emptied);
//  2. bluemonday keeps only an allow-list of elements and attributes.
//
// What the result may hold: paragraphs, headings (h2 to h6: a page's own
// title is its h1, so a Markdown "# heading" becomes h2), lists, emphasis,
// block quotes, code, tables, horizontal rules and links (http, https,
// mailto, tel and same-site paths). Never a script, a style, an event
// attribute, an id (which could clash with the page's own), a class, an
// iframe or an image: the site's Content-Security-Policy allows images
// from its own origin only, so an image in Markdown becomes a plain link
// to it, with its description as the link text. Links to other sites get
// rel="noopener noreferrer".

var md = goldmark.New(
	goldmark.WithExtensions(
		extension.Strikethrough,
		extension.Linkify,
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
	),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(transformer{}, 100))),
)

var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "del",
		"blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,6}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^noopener noreferrer$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return p
}()

// Render turns staff-written Markdown into HTML that is safe to put in a
// page as it is. It never fails: anything it does not allow is dropped.
func Render(markdown string) string {
	var buf bytes.Buffer
	if err := md.Convert([]byte(markdown), &buf); err != nil {
		// goldmark writes to a buffer, which cannot fail; keep the text.
		return policy.Sanitize("<p>" + escape(markdown) + "</p>")
	}
	return strings.TrimSpace(string(policy.SanitizeBytes(buf.Bytes())))
}

func escape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	return r.Replace(s)
}

// transformer shifts headings down a level when the text uses "#", turns
// images into links, and marks links to other sites.
type transformer struct{}

func (transformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	shift := false
	var images []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			shift = shift || n.Level == 1
		case *ast.Image:
			images = append(images, n)
		case *ast.Link:
			markExternal(n, string(n.Destination))
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL {
				markExternal(n, string(n.URL(source)))
			}
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		link := ast.NewLink()
		link.Destination, link.Title = img.Destination, img.Title
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			link.AppendChild(link, c)
			c = next
		}
		if !link.HasChildren() {
			link.AppendChild(link, ast.NewString(img.Destination))
		}
		markExternal(link, string(link.Destination))
		img.Parent().ReplaceChild(img.Parent(), img, link)
	}
	if shift {
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if h, ok := n.(*ast.Heading); ok && entering && h.Level < 6 {
				h.Level++
			}
			return ast.WalkContinue, nil
		})
	}
}

// markExternal gives a link to another site rel="noopener noreferrer".
func markExternal(n ast.Node, dest string) {
	d := strings.ToLower(strings.TrimSpace(dest))
	if strings.HasPrefix(d, "//") || strings.HasPrefix(d, "http:") || strings.HasPrefix(d, "https:") || strings.HasPrefix(d, "www.") {
		n.SetAttributeString("rel", []byte("noopener noreferrer"))
		return
	}
	if u, err := url.Parse(d); err == nil && u.Host != "" {
		n.SetAttributeString("rel", []byte("noopener noreferrer"))
	}
}
