package rules

// Event kinds and field names this package reads. The parsers of
// internal/logs define them (see their package doc); they are named once
// here so that a rename is one edit.
const (
	kindSSHLogin       = "ssh.login"
	kindSSHFailed      = "ssh.auth.failed"
	kindSSHInvalid     = "ssh.invalid-user"
	kindSudo           = "sudo.command"
	kindSu             = "su.session"
	kindUserAdded      = "account.user.added"
	kindGroupAdded     = "account.group.added"
	kindPasswd         = "account.password.changed"
	kindWebRequest     = "web.request"
	kindAuditPrefix    = "audit."
	kindHistory        = "history.command"
	kindHistoryOff     = "history.disabled"
	kindShellRC        = "shell.rc.history"
	kindUtmpPrefix     = "utmp."
	kindLastlog        = "lastlog.login"
	fieldCommand       = "command"
	fieldAuditType     = "type"
	fieldAuditAuid     = "auid"
	fieldAuditOp       = "op"
	fieldHTTPMethod    = "method"
	fieldHTTPStatus    = "status"
	fieldHTTPBytes     = "bytes"
	fieldHTTPUserAgent = "user_agent"
	fieldHTTPQuery     = "query"
	fieldHTTPURI       = "uri"
)
