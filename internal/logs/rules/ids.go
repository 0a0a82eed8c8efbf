package rules

// IDs lists every rule id the built-in rules can emit.
func IDs() []string {
	return []string{
		RuleBruteSource, RuleBruteUser, RuleSpray, RuleLoginAfter, RuleNewSource, RuleNewUser,
		RuleRootLogin, RuleUnusualHour, RuleInvalidUser,
		RuleUserAdded, RuleGroupAdded, RulePassword, RuleSudoShell, RuleSuRoot, RuleSudoersEdit,
		RuleTimeGap, RuleLogCleared, RuleAuditdStopped, RuleRotationMissing, RuleRotationCut,
		RuleUtmpZeroed, RuleUtmpBackwards, RuleUtmpRemoved, RuleLoginDBMismatch, RuleWtmpdbRemoved, RuleHistoryOff,
		RuleWebSQLi, RuleWebXSS, RuleWebTraversal, RuleWebCmd, RuleWebScanner, RuleWebShell, RuleWebSize,
	}
}
