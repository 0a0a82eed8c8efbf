package harden

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// sockets: sshd and a web server on every interface (the web server on both
// families), a database on loopback, a connection, a loopback-only IPv6
// service.
const sockets = `-- proc/net/tcp --
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1002 1 0000000000000000 100 0 0 10 0
   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 100 0 0 10 0
   3: 0A00000A:0016 0100000A:C350 01 00000000:00000000 02:0004F5A1 00000000     0        0 1004 4 0000000000000000 20 4 31 10 -1
-- proc/net/tcp6 --
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1005 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1006 1 0000000000000000 100 0 0 10 0
`

func TestListenAllFiresOnWildcardOnly(t *testing.T) {
	root := testutil.RootFromString(t, sockets)
	r := enginetest.Run(t, New(), root, true)
	var got []string
	for _, f := range r.Findings {
		if f.RuleID == ruleListenAll {
			got = append(got, f.Subject)
			if f.Severity != model.Low {
				t.Errorf("%s: severity %s", f.Subject, f.Severity)
			}
		}
	}
	want := []string{"tcp/22 0.0.0.0", "tcp/80 0.0.0.0, ::"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("listen-all findings %q, want %q", got, want)
	}
}

func TestListenAllQuietOnLoopbackAndOffline(t *testing.T) {
	root := testutil.RootFromString(t, `-- proc/net/tcp --
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 1002 1 0000000000000000 100 0 0 10 0
`)
	for _, f := range enginetest.Run(t, New(), root, true).Findings {
		if f.RuleID == ruleListenAll {
			t.Errorf("loopback service reported: %s", f.Subject)
		}
	}
	off := enginetest.Run(t, New(), testutil.RootFromString(t, sockets), false)
	for _, f := range off.Findings {
		if f.RuleID == ruleListenAll {
			t.Errorf("offline root reported: %s", f.Subject)
		}
	}
	found := false
	for _, g := range off.Gaps {
		found = found || g.Msg.ID == "harden.gap.listen-offline"
	}
	if !found {
		t.Errorf("no gap for the sockets of an offline root: %+v", off.Gaps)
	}
}
