package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/hearme-project/hearme/ui"
)

// The capture pages' offline shell (docs/offline.md): a web app manifest,
// a service worker scoped to /staff/capture, and the shell page it keeps
// for when the server cannot be reached. The shell is the capture form
// rendered for no one in particular: the programme's reference data
// (events of the last and next 30 days, pathway stages, communities and
// the other equality lists, the consent wording and its version, the
// queue key) and nothing about a person: no receipt, no crisis notice, no
// session timer, no name. Public pages have no service worker.

// offlineScope is the service worker's scope: the capture pages.
const offlineScope = "/staff/capture"

// shellPath is the shell page the service worker serves offline.
const shellPath = "/staff/capture/shell"

// offlineVersion is the service worker's version: the static files it
// caches and the shell tag. A new release changes it, so phones install
// the new worker, which keeps the old cache until the new one is complete.
func (s *Server) offlineVersion() string {
	names := make([]string, 0, len(s.assets))
	for n := range s.assets {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(s.assets[n] + "\n"))
	}
	h.Write([]byte("tag:" + s.cfg.OfflineShellTag))
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// handleServiceWorker serves the worker script with its version and the
// files to cache. Not behind sign-in: it holds nothing personal, and an
// update check while signed out must not fail on a redirect.
func (s *Server) handleServiceWorker(w http.ResponseWriter, r *http.Request) {
	src, err := fs.ReadFile(ui.Static, "static/sw.js")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var assets []string
	for n, u := range s.assets {
		if strings.HasSuffix(n, ".js") || strings.HasSuffix(n, ".css") || strings.HasSuffix(n, ".svg") || strings.HasSuffix(n, ".webmanifest") {
			assets = append(assets, u)
		}
	}
	sort.Strings(assets)
	head, err := json.Marshal(map[string]any{"version": s.offlineVersion(), "assets": assets, "shell": shellPath,
		"scope": offlineScope, "queue": s.assets["capture-queue.js"]})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	var b bytes.Buffer
	b.WriteString("\"use strict\";\nself.HEARME = ")
	b.Write(head)
	b.WriteString(";\n")
	b.Write(src)
	w.Write(b.Bytes())
}

// handleCaptureShell renders the capture form as the offline shell.
func (s *Server) handleCaptureShell(w http.ResponseWriter, r *http.Request) {
	p := s.capturePage(r, captureForm{Source: "event", shell: true})
	d := p.Data.(captureData)
	d.Saved, d.Shell = nil, true
	p.Data, p.Crisis, p.Timeout = d, "", nil
	// Only app.css: the other parts' style sheets style none of the shell
	// (TestCaptureShell checks the shell links app.css alone), and each is one more file to read and
	// parse before the page is drawn on a slow phone (docs/performance.md).
	p.styles = nil
	for i := range p.Languages { // the switcher leads to the capture page itself
		p.Languages[i].Href = (&url.URL{Path: offlineScope, RawQuery: "lang=" + url.QueryEscape(p.Languages[i].Code)}).String()
	}
	s.render(w, r, http.StatusOK, "capture", p)
}

// OfflineMessages are the queue's words for the page's script, as JSON.
func (p *Page) OfflineMessages() string {
	keys := []string{"waiting", "none_waiting", "saved_offline", "offline_now", "storage_persisted", "storage_not_persisted",
		"storage_unknown", "signout_refused", "signed_out", "sign_in", "banner", "refused", "consent_changed", "unreadable", "not_yours",
		"server_busy", "full", "store_broken", "fixing", "fix", "discard", "discard_confirm", "exported", "sent_codes", "not_saved"}
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[k] = p.T("offline.js." + k)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// maxUploadFile bounds an uploaded queue file (a few thousand records).
const maxUploadFile = 8 << 20

type uploadResult struct {
	Stored, Repeats int
	Refused         []uploadRefusal
}

type uploadRefusal struct {
	Reference string // the record's position in the file: "3"
	Reasons   []string
}

// handleCaptureUpload takes a file of waiting records saved from a
// phone's capture page and sends each as the queue does.
func (s *Server) handleCaptureUpload(w http.ResponseWriter, r *http.Request) {
	fail := func(key string) {
		p := s.newPage(r)
		p.Errors.Add("file", key)
		s.render(w, r, http.StatusUnprocessableEntity, "capture_upload", p)
	}
	if err := r.ParseMultipartForm(maxUploadFile); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail("offline.error.file_too_large")
			return
		}
		fail("offline.error.file_required")
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		fail("offline.error.file_required")
		return
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, maxUploadFile+1))
	if err != nil || len(raw) > maxUploadFile {
		fail("offline.error.file_too_large")
		return
	}
	var saved struct {
		Format  string            `json:"format"`
		Records []json.RawMessage `json:"records"`
	}
	if json.Unmarshal(raw, &saved) != nil || saved.Format != queueFileFormat || len(saved.Records) == 0 {
		fail("offline.error.not_a_file")
		return
	}
	var res uploadResult
	for i, env := range saved.Records {
		pos := strconv.Itoa(i + 1)
		rec, status := s.openQueueRecord(r, env)
		if status != "" {
			res.Refused = append(res.Refused, uploadRefusal{pos, []string{s.newPage(r).T("offline.js.unreadable")}})
			continue
		}
		ack, _ := s.storeQueueRecord(r, rec)
		switch ack.Status {
		case "stored":
			if ack.Replay {
				res.Repeats++
			} else {
				res.Stored++
			}
		case "refused":
			var reasons []string
			for _, e := range ack.Errors {
				reasons = append(reasons, e.Message)
			}
			res.Refused = append(res.Refused, uploadRefusal{pos, reasons})
		case "consent_changed", "not_yours":
			res.Refused = append(res.Refused, uploadRefusal{pos, []string{s.newPage(r).T("offline.js." + ack.Status)}})
		default:
			s.errorPage(w, r, http.StatusServiceUnavailable)
			return
		}
	}
	p := s.newPage(r)
	p.Data = res
	s.render(w, r, http.StatusOK, "capture_upload", p)
}

func (s *Server) handleCaptureUploadForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "capture_upload", s.newPage(r))
}

// queueFileFormat names a file of waiting records saved from a phone.
const queueFileFormat = "hearme-capture-queue-v1"
