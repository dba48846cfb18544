package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// A DataKey seals the free text of one record (a person's story, their
// corrections, the moderation original) and nothing else. The key itself
// is kept sealed with the keyring, in a table of its own; destroying that
// one row makes every copy of the record's text unreadable wherever it
// lingers (free pages, old row versions, write-ahead logs, backups taken
// afterwards): crypto-shredding.
type DataKey struct {
	aead cipher.AEAD
	raw  []byte
}

// dataPrefix marks text sealed with a data key, so text written before
// sealing existed is still read as it is.
const dataPrefix = "d1:"

// NewDataKey returns a fresh random data key.
func NewDataKey() DataKey {
	raw := make([]byte, 32)
	rand.Read(raw)
	k, _ := dataKeyFrom(raw)
	return k
}

func dataKeyFrom(raw []byte) (DataKey, error) {
	if len(raw) != 32 {
		return DataKey{}, ErrMalformed
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return DataKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return DataKey{}, err
	}
	return DataKey{aead: aead, raw: raw}, nil
}

// SealDataKey seals a data key with the keyring's active key, for storing.
func (k *Keyring) SealDataKey(d DataKey) (string, error) {
	return k.Seal(base64.RawStdEncoding.EncodeToString(d.raw))
}

// OpenDataKey opens a data key made by SealDataKey.
func (k *Keyring) OpenDataKey(sealed string) (DataKey, error) {
	enc, err := k.Open(sealed)
	if err != nil {
		return DataKey{}, err
	}
	raw, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil {
		return DataKey{}, ErrMalformed
	}
	return dataKeyFrom(raw)
}

// Seal encrypts text for the record named by recordID (bound to it, so
// text cannot be moved to another record). The empty string stays empty.
func (d DataKey) Seal(recordID, plaintext string) string {
	if plaintext == "" {
		return ""
	}
	nonce := make([]byte, d.aead.NonceSize())
	rand.Read(nonce)
	ct := d.aead.Seal(nonce, nonce, []byte(plaintext), []byte(recordID))
	return dataPrefix + base64.RawStdEncoding.EncodeToString(ct)
}

// Open decrypts text made by Seal for the same record. Text without the
// sealed prefix is returned as it is (written before sealing existed).
func (d DataKey) Open(recordID, value string) (string, error) {
	if !IsDataSealed(value) {
		return value, nil
	}
	if d.aead == nil {
		return "", ErrUnknownKey
	}
	ct, err := base64.RawStdEncoding.DecodeString(value[len(dataPrefix):])
	if err != nil || len(ct) < d.aead.NonceSize()+d.aead.Overhead() {
		return "", ErrMalformed
	}
	pt, err := d.aead.Open(nil, ct[:d.aead.NonceSize()], ct[d.aead.NonceSize():], []byte(recordID))
	if err != nil {
		return "", ErrMalformed
	}
	return string(pt), nil
}

// IsDataSealed reports whether a value was sealed with a data key.
func IsDataSealed(value string) bool { return strings.HasPrefix(value, dataPrefix) }
