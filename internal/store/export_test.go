package store

// PreparedStatements reports how many statements the store has prepared
// on its write handle (statements.go), for tests.
func (s *Store) PreparedStatements() int { return int(s.preparedCount.Load()) }
