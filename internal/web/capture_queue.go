package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The phone's queue (docs/offline.md). A record captured with no
// connection is encrypted on the phone to the server's queue key (ECDH
// P-256 with a key pair of the record's own, HKDF-SHA-256, AES-256-GCM
// with the record's id as additional data), kept in IndexedDB, and sent
// here when the connection returns: POST /staff/capture/records with the
// envelope as JSON. The server opens it, checks it exactly as the capture
// form is checked (checkCapture), and stores it once per record id: a
// repeat answers the first acknowledgement. Every answer is JSON with a
// status the page acts on:
//
//	200 stored           reference, secret (the same on a repeat), replay
//	422 refused          errors (field, message in the page's language), answers to fix
//	409 consent_changed  the record's consent wording is not the current one; answers to check again
//	409 not_yours        another account sent this record id
//	400 unreadable       not an envelope this server can open (corrupted, or a key it does not have)
//	401 signed_out       the session ended (guard); sign in again, then send
//
// 413, 500 and 503 are the server's usual answers; the phone keeps the
// record and tries again later.

// queueEnvelope is what the phone sends.
type queueEnvelope struct {
	ID     string    `json:"id"`      // the record's id, made on the phone
	KeyID  string    `json:"kid"`     // the queue key it was encrypted to
	EPK    string    `json:"epk"`     // the record's own P-256 public key, raw, base64url
	IV     string    `json:"iv"`      // 12 bytes, base64url
	CT     string    `json:"ct"`      // AES-GCM ciphertext of queueRecord, base64url
	SentAt time.Time `json:"sent_at"` // the phone's clock as it sends (experience.CaptureTime)
}

// queueRecord is the envelope's content: the capture form's answers as
// the form posts them, with when and under which consent wording.
type queueRecord struct {
	ID             string              `json:"id"`
	CapturedAt     time.Time           `json:"captured_at"` // the phone's clock
	ConsentVersion string              `json:"consent_version"`
	Answers        map[string][]string `json:"answers"`
	sentAt         time.Time           // from the envelope
}

var recordID = regexp.MustCompile(`^[0-9a-fA-F-]{8,64}$`)

// queueInfo is the key the capture page encrypts to, in the page.
type queueInfo struct {
	KeyID, PublicJWK, ConsentVersion string
}

func (s *Server) queueInfo(r *http.Request) *queueInfo {
	k, err := s.store.CurrentQueueKey(r.Context())
	if err != nil {
		s.log.Error("capture: queue key", "err", err.Error())
		return nil // the page then works online only
	}
	return &queueInfo{KeyID: k.ID, PublicJWK: k.PublicJWK, ConsentVersion: ConsentVersion}
}

func (s *Server) queueAnswer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.log.Warn("capture queue: write answer", "err", err.Error())
	}
}

type queueProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// openEnvelope decrypts a queue envelope with the server's queue key.
func openEnvelope(priv *ecdh.PrivateKey, env queueEnvelope) ([]byte, error) {
	dec := base64.RawURLEncoding
	epk, err := dec.DecodeString(env.EPK)
	if err != nil {
		return nil, err
	}
	pub, err := ecdh.P256().NewPublicKey(epk)
	if err != nil {
		return nil, err
	}
	shared, err := priv.ECDH(pub)
	if err != nil {
		return nil, err
	}
	key, err := hkdf.Key(sha256.New, shared, nil, queueInfoLabel(env.KeyID), 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	iv, err := dec.DecodeString(env.IV)
	if err != nil || len(iv) != gcm.NonceSize() {
		return nil, errors.New("bad iv")
	}
	ct, err := dec.DecodeString(env.CT)
	if err != nil {
		return nil, err
	}
	return gcm.Open(nil, iv, ct, []byte(env.ID))
}

// queueInfoLabel is HKDF's info: the scheme and the key, so a record is
// opened only as what it was made for.
func queueInfoLabel(keyID string) string { return "hearme capture queue v1 " + keyID }

// handleCaptureRecord takes one record from the phone's queue.
func (s *Server) handleCaptureRecord(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.queueAnswer(w, http.StatusRequestEntityTooLarge, map[string]string{"status": "too_large"})
			return
		}
		s.queueAnswer(w, http.StatusBadRequest, map[string]string{"status": "unreadable"})
		return
	}
	rec, status := s.openQueueRecord(r, body)
	if status != "" {
		s.queueAnswer(w, http.StatusBadRequest, map[string]string{"status": status})
		return
	}
	ans, code := s.storeQueueRecord(r, rec)
	s.queueAnswer(w, code, ans)
}

// openQueueRecord decrypts and decodes a posted envelope; status is
// "unreadable" when it cannot.
func (s *Server) openQueueRecord(r *http.Request, body []byte) (queueRecord, string) {
	var env queueEnvelope
	var rec queueRecord
	if json.Unmarshal(body, &env) != nil || !recordID.MatchString(env.ID) {
		return rec, "unreadable"
	}
	k, err := s.store.QueueKeyByID(r.Context(), env.KeyID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("capture queue: key", "err", err.Error())
		}
		return rec, "unreadable"
	}
	plain, err := openEnvelope(k.Private, env)
	if err != nil || json.Unmarshal(plain, &rec) != nil || rec.ID != env.ID {
		return rec, "unreadable"
	}
	rec.sentAt = env.SentAt
	return rec, ""
}

// queueAck is the answer to a record.
type queueAck struct {
	Status     string              `json:"status"`
	Reference  string              `json:"reference,omitempty"`
	Secret     string              `json:"secret,omitempty"`
	Replay     bool                `json:"replay,omitempty"`
	CapturedAt string              `json:"captured_at,omitempty"`
	ClockNote  string              `json:"clock_note,omitempty"`
	Errors     []queueProblem      `json:"errors,omitempty"`
	Answers    map[string][]string `json:"answers,omitempty"` // to fix a refused record on the phone
	Version    string              `json:"consent_version,omitempty"`
}

// storeQueueRecord checks a record as the capture form is checked and
// stores it once.
func (s *Server) storeQueueRecord(r *http.Request, rec queueRecord) (queueAck, int) {
	l := s.newPage(r)
	// The record's answers are the capture form's fields, checked by the
	// form's own code.
	posted := r.Clone(r.Context())
	posted.PostForm = url.Values(rec.Answers)
	posted.Form = posted.PostForm
	// A record already stored answers as it did, whatever changed since
	// (the consent wording, the event).
	if rc, ok, err := s.store.CaptureReceipt(r.Context(), rec.ID, reqCtx(r).user.ID); errors.Is(err, store.ErrConflict) {
		return queueAck{Status: "not_yours"}, http.StatusConflict
	} else if err != nil {
		s.log.Error("capture queue: look up", "err", err.Error())
		return queueAck{Status: "error"}, http.StatusServiceUnavailable
	} else if ok {
		return queueAck{Status: "stored", Reference: rc.Reference, Secret: rc.Secret, Replay: true}, http.StatusOK
	}
	if rec.ConsentVersion != ConsentVersion {
		return queueAck{Status: "consent_changed", Version: ConsentVersion, Answers: rec.Answers}, http.StatusConflict
	}
	var ev *event.Event
	var errs form.Errors
	if id := form.Value(posted, "event_id", 60); id != "" {
		e, err := s.store.Event(r.Context(), id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			errs.Add("event_id", "offline.event_gone")
		case err != nil:
			s.log.Error("capture queue: event", "err", err.Error())
			return queueAck{Status: "error"}, http.StatusServiceUnavailable
		default:
			ev = e // a cancelled event is still the one it was captured at
		}
	}
	_, sub, more := s.checkCapture(posted, ev)
	errs.Append(more)
	if len(errs) > 0 {
		ack := queueAck{Status: "refused", Answers: rec.Answers}
		for _, e := range errs {
			ack.Errors = append(ack.Errors, queueProblem{Field: e.Field, Message: l.Msg(e)})
		}
		return ack, http.StatusUnprocessableEntity
	}
	capturedAt, _, note := experience.CaptureTime(rec.CapturedAt, rec.sentAt, s.now())
	sealed, err := s.sealContact(sub)
	if err != nil {
		s.log.Error("capture queue: seal", "err", err.Error())
		return queueAck{Status: "error"}, http.StatusInternalServerError
	}
	rc, replay, err := s.store.SubmitCapture(r.Context(), store.CaptureRecord{ClientID: rec.ID, CapturedAt: capturedAt, ClockNote: note}, sub, sealed)
	if errors.Is(err, store.ErrConflict) {
		return queueAck{Status: "not_yours"}, http.StatusConflict
	}
	if err != nil {
		s.log.Error("capture queue: store", "err", err.Error())
		return queueAck{Status: "error"}, http.StatusServiceUnavailable
	}
	ack := queueAck{Status: "stored", Reference: rc.Reference, Secret: rc.Secret, Replay: replay, ClockNote: note}
	if !capturedAt.IsZero() {
		ack.CapturedAt = capturedAt.Format(time.RFC3339)
	}
	return ack, http.StatusOK
}
