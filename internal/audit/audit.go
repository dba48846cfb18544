// Package audit defines the append-only, tamper-evident audit trail:
// each entry carries the hash of the one before, so changing or removing
// any row breaks every link after it.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Actions written to the trail.
const (
	LoginSucceeded    = "login.succeeded"
	LoginFailed       = "login.failed"
	SecondFactorFail  = "login.second_factor_failed"
	Logout            = "logout"
	UserCreated       = "user.created"
	UserRoleChanged   = "user.role_changed"
	UserDisabled      = "user.disabled"
	UserEnabled       = "user.enabled"
	UserReset         = "user.sign_in_reset"
	PasswordSet       = "user.password_set"
	SecondFactorSetUp = "user.second_factor_enrolled"

	ExperienceWithdrawn = "experience.withdrawn"
	ExperienceViewed    = "experience.viewed_unredacted"
	ExperienceRedacted  = "experience.redacted"
	ExperienceDecided   = "experience.moderated"
	ExperienceCorrected = "experience.corrected" // a person added a correction: back to the moderation queue

	// A story suggested a risk of harm; a moderator recorded how they
	// escalated it (the detail names the flag, never the words).
	SafeguardingRaised    = "safeguarding.flag_raised"
	SafeguardingEscalated = "safeguarding.escalated"

	// Retention deletions record how many rows went, never what they held.
	ContactDetailsDeleted = "retention.contact_details_deleted"
)

// GenesisHash is the "previous hash" of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one row of the trail. Subject and Detail hold identifiers and
// facts, never personal data such as names or addresses.
type Entry struct {
	Seq      int64
	At       time.Time
	ActorID  string // user id, "system", or "anonymous"
	Action   string
	Subject  string
	Detail   string // JSON object
	PrevHash string
	Hash     string
}

// Detail encodes a small map as the JSON detail of an entry.
func Detail(kv map[string]string) string {
	if len(kv) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(kv) // map keys are sorted: stable
	return string(b)
}

// Normalise rounds the time to microseconds in UTC, the precision both
// databases keep, so a hash computed before storing matches after.
func Normalise(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ComputeHash returns the plain SHA-256 of an entry over every field but
// Hash: the hash of entries written before the trail had a key (see Key).
func ComputeHash(e Entry) string {
	h := sha256.New()
	writeFields(h, e)
	return hex.EncodeToString(h.Sum(nil))
}

// Break describes the first broken link in a trail.
type Break struct {
	Seq    int64
	Reason string
}

// Verifier checks entries one by one, in sequence order.
type Verifier struct {
	key      *Key
	prevSeq  int64
	prevHash string
	Checked  int64
}

// NewVerifier starts at the genesis, for a trail without a key.
func NewVerifier() *Verifier { return &Verifier{prevHash: GenesisHash} }

// NewKeyedVerifier starts at the genesis and checks entries from
// key.From on against their HMAC.
func NewKeyedVerifier(key *Key) *Verifier { return &Verifier{key: key, prevHash: GenesisHash} }

// After resumes a walk after entry seq, whose hash is hash (a
// checkpoint already vouched for the entries up to it).
func (v *Verifier) After(seq int64, hash string) *Verifier {
	v.prevSeq, v.prevHash = seq, hash
	return v
}

// Next checks one entry; it returns a Break at the first bad link.
func (v *Verifier) Next(e Entry) *Break {
	switch {
	case e.Seq != v.prevSeq+1:
		return &Break{Seq: e.Seq, Reason: "sequence gap after " + strconv.FormatInt(v.prevSeq, 10)}
	case e.PrevHash != v.prevHash:
		return &Break{Seq: e.Seq, Reason: "previous-hash does not match the entry before"}
	case v.key.Hash(e) != e.Hash:
		return &Break{Seq: e.Seq, Reason: "entry hash does not match its contents"}
	}
	v.prevSeq, v.prevHash = e.Seq, e.Hash
	v.Checked++
	return nil
}
