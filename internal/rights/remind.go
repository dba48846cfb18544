package rights

import "time"

// Reminder stages: a request due soon, and one overdue.
const (
	StageDueSoon = "due-soon"
	StageOverdue = "overdue"
)

// DueSoonDays is how many calendar days before its due date an open
// request is reminded of: a week, time enough to finish a response or,
// within the first month, to extend a complex request.
const DueSoonDays = 7

// ReminderStage says which reminder, if any, an open request needs on
// today: overdue once past its due date, due soon from DueSoonDays
// before it. A closed request needs none.
func ReminderStage(r Request, today time.Time) (string, bool) {
	if r.ClosedOn != nil {
		return "", false
	}
	switch left := r.DaysLeft(today); {
	case left < 0:
		return StageOverdue, true
	case left <= DueSoonDays:
		return StageDueSoon, true
	}
	return "", false
}
