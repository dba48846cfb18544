package audit

// Actions of key rotation and second-factor recovery (docs/keys.md).
const (
	KeysStaged           = "keys.staged"
	KeysRotationStarted  = "keys.rotation_started"
	KeysRotationFinished = "keys.rotation_finished"
	KeysRetired          = "keys.retired"

	RecoveryCodesIssued    = "user.recovery_codes_issued"
	RecoveryCodeUsed       = "login.recovery_code_used"
	RecoveryCodeRefused    = "login.recovery_code_refused"
	SecondFactorResetAdmin = "user.second_factor_reset"
)
