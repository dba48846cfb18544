package abuse

import "crypto/sha256"

// hashKey is the key of every in-memory table in this package: always a
// hash (SHA-256 or HMAC-SHA256), never raw input.
type hashKey [sha256.Size]byte
