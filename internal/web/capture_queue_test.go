package web_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/web"
)

// queueKeyOf reads the queue key from the capture page, as the page's
// script does.
func queueKeyOf(t *testing.T, c *client) (kid string, pub *ecdh.PublicKey, version string) {
	t.Helper()
	page := c.get("/staff/capture")
	m := regexp.MustCompile(`data-queue-kid="([^"]+)" data-queue-key="([^"]+)" data-consent-version="([^"]+)"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("the capture page carries no queue key (%d)", page.status)
	}
	var jwk struct{ X, Y string }
	if err := json.Unmarshal([]byte(html.UnescapeString(m[2])), &jwk); err != nil {
		t.Fatal(err)
	}
	x, _ := base64.RawURLEncoding.DecodeString(jwk.X)
	y, _ := base64.RawURLEncoding.DecodeString(jwk.Y)
	pub, err := ecdh.P256().NewPublicKey(append(append([]byte{4}, x...), y...))
	if err != nil {
		t.Fatal(err)
	}
	return m[1], pub, m[3]
}

// seal makes the envelope the page's script makes (ui/static/offline.js).
func seal(t *testing.T, kid string, pub *ecdh.PublicKey, rec map[string]any, sentAt time.Time) string {
	t.Helper()
	eph, _ := ecdh.P256().GenerateKey(rand.Reader)
	shared, err := eph.ECDH(pub)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := hkdf.Key(sha256.New, shared, nil, "hearme capture queue v1 "+kid, 32)
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	iv := make([]byte, 12)
	rand.Read(iv)
	plain, _ := json.Marshal(rec)
	id := rec["id"].(string)
	enc := base64.RawURLEncoding
	env, _ := json.Marshal(map[string]any{"id": id, "kid": kid, "epk": enc.EncodeToString(eph.PublicKey().Bytes()), "iv": enc.EncodeToString(iv),
		"ct": enc.EncodeToString(gcm.Seal(nil, iv, plain, []byte(id))), "sent_at": sentAt})
	return string(env)
}

func (c *client) postJSON(path, body string) (int, map[string]any) {
	c.e.t.Helper()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	r := c.do(req)
	var v map[string]any
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		c.e.t.Fatalf("%s answered %d, not JSON: %.200s", path, r.status, r.body)
	}
	return r.status, v
}

// TestCaptureQueue: records from a phone's queue are checked as the
// capture form is and stored exactly once per id, however often and
// however concurrently they are sent; each refusal is a clear answer.
func TestCaptureQueue(t *testing.T) { t.Parallel(); eachEnv(t, testCaptureQueue) }

func testCaptureQueue(t *testing.T, e *env) {
	champ := e.newStaff("amina@example.org", account.Champion, "")
	c := e.client()
	c.signIn(champ)
	kid, pub, version := queueKeyOf(t, c)
	if version != web.ConsentVersion {
		t.Fatalf("consent version %q", version)
	}
	ev := &event.Event{Kind: event.KindMiniHearMe, Visibility: event.Public, Languages: []string{"en", "ur"}, Start: time.Now().Add(-3 * time.Hour),
		End: time.Now().Add(-time.Hour), VenueName: "Mosque hall", VenueAddress: "Luton", Capacity: 30, Texts: map[string]event.Text{"en": {Title: "Mini event"}}}
	if err := e.store.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	captured := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	record := func(id string, answers map[string][]string) map[string]any {
		return map[string]any{"id": id, "captured_at": captured, "consent_version": web.ConsentVersion, "answers": answers}
	}
	good := map[string][]string{"event_id": {ev.ID}, "lang": {"ur"}, "role": {"person-with-cancer"}, "stages": {"screening"},
		"what_happened": {"مجھے خط سمجھ نہیں آیا۔"}, "consent_evidence": {"yes"}}
	id := "5f1c2a9e-7b3d-4e8f-a1c2-3d4e5f6a7b8c"
	env := seal(t, kid, pub, record(id, good), time.Now())

	// Two tabs and a double tap: eight sends at once, one experience.
	var wg sync.WaitGroup
	refs := make([]string, 8)
	secrets := make([]string, 8)
	for i := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, ack := c.postJSON("/staff/capture/records", env)
			if st != http.StatusOK || ack["status"] != "stored" {
				t.Errorf("send %d: %d %v", i, st, ack)
				return
			}
			refs[i], secrets[i] = ack["reference"].(string), ack["secret"].(string)
		}()
	}
	wg.Wait()
	for i := range refs {
		if refs[i] != refs[0] || secrets[i] != secrets[0] || !strings.HasPrefix(refs[0], "HM-") {
			t.Fatalf("send %d answered %s %s, the first %s %s", i, refs[i], secrets[i], refs[0], secrets[0])
		}
	}
	q, _ := e.store.ModerationQueue(ctx, 100)
	if len(q) != 1 || q[0].Reference != refs[0] || q[0].Source != experience.SourceChampion || q[0].Lang != "ur" ||
		!q[0].CapturedAt.Equal(captured) {
		t.Fatalf("moderation queue %+v, want one record captured at %v", q, captured)
	}
	h, err := e.store.ExperienceByReference(ctx, refs[0], secrets[0])
	if rep, err := e.store.EventReport(ctx, ev.ID); err != nil || rep.Experiences != 1 {
		t.Fatalf("event report %+v %v: want the record linked to the event", rep, err)
	}
	if err != nil || h.Submission.Consent.Version != web.ConsentVersion || !h.Submission.Consent.Verbal {
		t.Fatalf("stored %+v %v", h.Submission, err)
	}
	// Sent again later, the same envelope or a new one with the same id:
	// the first acknowledgement.
	if st, ack := c.postJSON("/staff/capture/records", seal(t, kid, pub, record(id, good), time.Now())); st != http.StatusOK ||
		ack["reference"] != refs[0] || ack["replay"] != true {
		t.Fatalf("repeat: %d %v", st, ack)
	}

	// A phone whose clock is two years ahead: the interval is kept.
	ahead := 2 * 365 * 24 * time.Hour
	skewed := record("6a2b3c4d-0000-4000-8000-000000000001", good)
	skewed["captured_at"] = captured.Add(ahead)
	st, ack := c.postJSON("/staff/capture/records", seal(t, kid, pub, skewed, time.Now().Add(ahead)))
	if st != http.StatusOK || ack["clock_note"] != experience.ClockCorrected {
		t.Fatalf("wrong clock: %d %v", st, ack)
	}
	if at, _ := time.Parse(time.RFC3339, ack["captured_at"].(string)); at.Sub(captured).Abs() > 5*time.Second {
		t.Fatalf("wrong clock: captured at %v, want about %v", at, captured)
	}

	// The form's checks, with the messages in the page's language.
	bad := map[string][]string{"event_id": {ev.ID}, "what_happened": {"Kept while fixed."}}
	st, ack = c.postJSON("/staff/capture/records", seal(t, kid, pub, record("6a2b3c4d-0000-4000-8000-000000000002", bad), time.Now()))
	errs, _ := ack["errors"].([]any)
	if st != http.StatusUnprocessableEntity || ack["status"] != "refused" || len(errs) < 2 ||
		errs[0].(map[string]any)["field"] != "role" || !strings.Contains(ack["answers"].(map[string]any)["what_happened"].([]any)[0].(string), "Kept while fixed") {
		t.Fatalf("refused record: %d %v", st, ack)
	}
	// An event deleted since.
	gone := map[string][]string{"event_id": {"01900000-0000-7000-8000-00000000dead"}, "role": {"friend"}, "stages": {"screening"},
		"what_happened": {"x"}, "consent_evidence": {"yes"}}
	st, ack = c.postJSON("/staff/capture/records", seal(t, kid, pub, record("6a2b3c4d-0000-4000-8000-000000000003", gone), time.Now()))
	if errs, _ := ack["errors"].([]any); st != http.StatusUnprocessableEntity || len(errs) != 1 || errs[0].(map[string]any)["field"] != "event_id" {
		t.Fatalf("deleted event: %d %v", st, ack)
	}
	// Consent given under other wording.
	old := record("6a2b3c4d-0000-4000-8000-000000000004", good)
	old["consent_version"] = "2020-01-v0"
	if st, ack := c.postJSON("/staff/capture/records", seal(t, kid, pub, old, time.Now())); st != http.StatusConflict ||
		ack["status"] != "consent_changed" || ack["consent_version"] != web.ConsentVersion {
		t.Fatalf("old consent wording: %d %v", st, ack)
	}
	// A corrupted envelope, and one for a key the server does not have.
	broken := strings.Replace(env, `"ct":"`, `"ct":"AAAA`, 1)
	if st, ack := c.postJSON("/staff/capture/records", broken); st != http.StatusBadRequest || ack["status"] != "unreadable" {
		t.Fatalf("corrupted: %d %v", st, ack)
	}
	if st, ack := c.postJSON("/staff/capture/records", strings.Replace(env, kid, "no-such-key", 1)); st != http.StatusBadRequest || ack["status"] != "unreadable" {
		t.Fatalf("unknown key: %d %v", st, ack)
	}
	if st, _ := c.postJSON("/staff/capture/records", `{"id":"../../etc"}`); st != http.StatusBadRequest {
		t.Fatalf("hostile id: %d", st)
	}
	// Another account cannot take the record's id, nor learn its codes.
	other := e.client()
	other.signIn(e.newStaff("kofi@example.org", account.Connector, ""))
	if st, ack := other.postJSON("/staff/capture/records", env); st != http.StatusConflict || ack["status"] != "not_yours" || ack["secret"] != nil {
		t.Fatalf("another account: %d %v", st, ack)
	}
	if page := other.get("/staff/moderation"); !strings.Contains(page.body, "captured ") {
		t.Errorf("the moderation queue does not show the capture time")
	}
	// Signed out: the page is told to sign in again.
	if st, ack := e.client().postJSON("/staff/capture/records", env); st != http.StatusUnauthorized || ack["status"] != "signed_out" {
		t.Fatalf("signed out: %d %v", st, ack)
	}
	if q, _ := e.store.ModerationQueue(ctx, 100); len(q) != 2 {
		t.Fatalf("%d experiences stored, want 2", len(q))
	}

	// A file saved from the phone, uploaded later: the record already
	// sent is not stored again; a new one is; a refused one is reported.
	file := `{"format":"hearme-capture-queue-v1","records":[` + env + "," +
		seal(t, kid, pub, record("6a2b3c4d-0000-4000-8000-000000000010", good), time.Now()) + "," +
		seal(t, kid, pub, record("6a2b3c4d-0000-4000-8000-000000000011", bad), time.Now()) + "]}"
	up := c.upload("/staff/capture/upload", "file", "hearme-waiting.json", []byte(file))
	if up.status != http.StatusOK || !strings.Contains(up.body, "1 stored, 1 already stored before, 1 not accepted") ||
		!strings.Contains(up.body, "Record 3 in the file") {
		t.Fatalf("upload: %d\n%s", up.status, up.body)
	}
	if q, _ := e.store.ModerationQueue(ctx, 100); len(q) != 3 {
		t.Fatalf("%d experiences stored after the upload, want 3", len(q))
	}
	if up := c.upload("/staff/capture/upload", "file", "notes.txt", []byte("not json")); up.status != http.StatusUnprocessableEntity ||
		!strings.Contains(up.body, "not a file saved from the capture page") {
		t.Fatalf("a wrong file: %d", up.status)
	}
}

// TestCaptureShell: the offline shell is the capture form for no one in
// particular: it carries the reference data and the queue key, and no
// receipt, crisis notice or session timer, even just after a capture;
// and fetching it leaves the capture page's own notice in place. The
// service worker and the manifest are served; only the capture pages'
// policy allows them.
func TestCaptureShell(t *testing.T) { t.Parallel(); eachEnv(t, testCaptureShell) }

func testCaptureShell(t *testing.T, e *env) {
	conn := e.newStaff("kwame@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	if r := c.post("/staff/capture", url.Values{"source": {"event"}, "role": {"friend"}, "stages": {"screening"},
		"what_happened": {"I want to end my life"}, "consent_evidence": {"yes"}, "next": {"another"}}); r.location != "/staff/capture" {
		t.Fatalf("capture: %d %s", r.status, r.location)
	}
	sh := c.get("/staff/capture/shell")
	if sh.status != http.StatusOK || !strings.Contains(sh.body, "data-shell") || !strings.Contains(sh.body, `name="stages"`) ||
		!strings.Contains(sh.body, "data-queue-key=") || !strings.Contains(sh.body, `name="ethnic_group"`) {
		t.Fatalf("shell: %d", sh.status)
	}
	for _, personal := range []string{"HM-", "data-session-timeout", "Samaritans", "end my life"} {
		if strings.Contains(sh.body, personal) {
			t.Errorf("the shell holds %q", personal)
		}
	}
	// The shell links app.css alone (the parts' style sheets style none of
	// it): fewer files to read before it is drawn offline on a slow phone.
	if sheets := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindAllStringSubmatch(sh.body, -1); len(sheets) != 1 ||
		!strings.HasPrefix(sheets[0][1], "/static/app.css?v=") {
		t.Errorf("the shell links the style sheets %v, want app.css alone", sheets)
	}
	if sh.header.Get("Cache-Control") != "no-store" || !strings.Contains(sh.header.Get("Content-Security-Policy"), "worker-src 'self'") {
		t.Errorf("shell headers: %v", sh.header)
	}
	if page := c.get("/staff/capture"); !strings.Contains(page.body, "HM-") {
		t.Error("fetching the shell took the capture page's notice of the record just saved")
	}
	sw := e.client().get("/staff/sw.js")
	if sw.status != http.StatusOK || !strings.Contains(sw.body, `self.HEARME = {`) || !strings.Contains(sw.body, "/static/capture-queue.js?v=") {
		t.Fatalf("service worker: %d %.200s", sw.status, sw.body)
	}
	home := e.client().get("/")
	if strings.Contains(home.header.Get("Content-Security-Policy"), "worker-src") || strings.Contains(home.body, "manifest") {
		t.Errorf("a public page allows a worker or links the manifest: %s", home.header.Get("Content-Security-Policy"))
	}
	if r := c.post("/logout", url.Values{}); r.header.Get("Clear-Site-Data") != `"cache", "storage"` {
		t.Errorf("sign-out answers Clear-Site-Data %q", r.header.Get("Clear-Site-Data"))
	}
}
