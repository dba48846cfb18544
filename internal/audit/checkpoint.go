package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Checkpoint anchors the trail's head outside the database: the newest
// entry's sequence number and hash at a moment, signed with the chain's
// key. It is written to a file in the data directory and to the log; a
// trail that no longer holds that entry with that hash has been cut
// short or rewritten, which the chain alone cannot show (deleting the
// last entries, or all of them, leaves a valid chain).
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Head string    `json:"head"`
	At   time.Time `json:"at"`
	MAC  string    `json:"mac"`
}

func (k *Key) checkpointMAC(c Checkpoint) string {
	m := hmac.New(sha256.New, k.checkpoint)
	for _, f := range []string{strconv.FormatInt(c.Seq, 10), c.Head, c.At.UTC().Format(time.RFC3339Nano)} {
		m.Write([]byte(strconv.Itoa(len(f))))
		m.Write([]byte{':'})
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// Sign returns the checkpoint with its MAC.
func (k *Key) Sign(c Checkpoint) Checkpoint {
	c.At = c.At.UTC()
	c.MAC = k.checkpointMAC(c)
	return c
}

// Signed reports whether the checkpoint's MAC is right.
func (k *Key) Signed(c Checkpoint) bool {
	return hmac.Equal([]byte(k.checkpointMAC(c)), []byte(c.MAC))
}

// ReadCheckpoint reads the checkpoint file; nil, nil when there is none.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("audit checkpoint %s: %w", path, err)
	}
	return &c, nil
}

// WriteCheckpoint replaces the checkpoint file (0600) in one step: a
// crash leaves the old checkpoint or the new one, never half of one.
func WriteCheckpoint(path string, c Checkpoint) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".audit-checkpoint-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
