// Package mail composes hearme's email and carries it out: a message is
// rendered in the reader's language (a plain-text part and an HTML part),
// sealed, and written to the outbox in the same transaction as the change
// that causes it; a sender job delivers the outbox through any SMTP
// server, with retries and backoff, so nothing is lost while the server
// is down.
package mail

import (
	"encoding/json"
	"errors"

	"github.com/hearme-project/hearme/internal/sealed"
)

// Message is one email, ready to send.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
	Lang    string `json:"lang,omitempty"`
	// ListUnsubscribe, when set, is an https link that unsubscribes the
	// recipient at once: it becomes the List-Unsubscribe header with
	// List-Unsubscribe-Post (RFC 8058 one-click), which mail programs show
	// as an "Unsubscribe" button and answer with a POST to the link.
	ListUnsubscribe string `json:"list_unsubscribe,omitempty"`
}

// Queued is a message sealed for the outbox: the recipient and the body
// are personal data, so the outbox holds them only encrypted. Kind (the
// template's name) is kept in the clear for metrics and the staff view.
type Queued struct {
	Kind    string
	Payload string
}

// ErrNoRecipient is returned for a message without an address.
var ErrNoRecipient = errors.New("mail: message has no recipient")

// Seal encrypts m for the outbox.
func Seal(keys *sealed.Keyring, kind string, m Message) (Queued, error) {
	if m.To == "" {
		return Queued{}, ErrNoRecipient
	}
	b, err := json.Marshal(m)
	if err != nil {
		return Queued{}, err
	}
	p, err := keys.Seal(string(b))
	if err != nil {
		return Queued{}, err
	}
	return Queued{Kind: kind, Payload: p}, nil
}

// Open decrypts a payload made by Seal.
func Open(keys *sealed.Keyring, payload string) (Message, error) {
	s, err := keys.Open(payload)
	if err != nil {
		return Message{}, err
	}
	var m Message
	err = json.Unmarshal([]byte(s), &m)
	return m, err
}
