package app

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestReadableSubjects: a Chinese timeline leaves out the subjects that are
// English phrases and keeps those that are data or already localised; an
// English one keeps them all.
func TestReadableSubjects(t *testing.T) {
	sigma := model.Evidence{Extra: map[string]string{"sigma_id": "x"}}
	tests := []struct {
		subject string
		ev      model.Evidence
		lang    string
		want    string
	}{
		{"sudo NOPASSWD for www-data: ALL", model.Evidence{}, catalog.Chinese, ""},
		{"account sysadm", model.Evidence{}, catalog.Chinese, ""},
		{"account sysadm", model.Evidence{}, catalog.English, "account sysadm"},
		{"203.0.113.9", model.Evidence{}, catalog.Chinese, "203.0.113.9"},
		{"root@203.0.113.9", model.Evidence{}, catalog.Chinese, "root@203.0.113.9"},
		{"/etc/cron.d/php sessionclean", model.Evidence{}, catalog.Chinese, ""},
		{"下载内容直接交给 Shell 执行", sigma, catalog.Chinese, "下载内容直接交给 Shell 执行"},
		{"Someone's rule title", sigma, catalog.Chinese, "Someone's rule title"},
		{"账号 ops", model.Evidence{}, catalog.Chinese, "账号 ops"},
	}
	for _, tc := range tests {
		f := readable(model.Finding{Subject: tc.subject, Evidence: tc.ev}, tc.lang)
		if f.Subject != tc.want {
			t.Errorf("%s %q: subject %q, want %q", tc.lang, tc.subject, f.Subject, tc.want)
		}
	}
}
