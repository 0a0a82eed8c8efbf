package files

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/files"
	"github.com/vigil-ir/vigil/internal/files/webshell"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/testutil"
)

// TestBigImageTail: a PHP payload appended to a JPEG larger than the
// content limit (8 MiB) is found in the end the walk reads too; the same
// image without it stays quiet, and the part between head and tail that
// no matcher saw is a gap.
func TestBigImageTail(t *testing.T) {
	const up = "var/www/html/uploads/"
	big := append(realJPEG(t, ""), bytes.Repeat([]byte{0x55, 0xaa, 0x17, 0x42}, (files.DefaultContentCap+(2<<20))/4)...)
	for _, tc := range []struct {
		name string
		tail string
		want bool
	}{
		{"clean", "\xff\xd9", false},
		{"php appended", "\xff\xd9<?php @eval($_POST['c']); ?>", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.RootFromString(t, base+"-- var/www/html/index.php --\n<?php echo 1;\n")
			testutil.Put(t, dir, up+"holiday.jpg", append(append([]byte{}, big...), tc.tail...))
			r := enginetest.Run(t, New(), dir, false)
			if !tc.want {
				enginetest.Quiet(t, r.Findings, model.Low)
			} else {
				enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: webshell.RuleImageCode, Subject: "/var/www/html/uploads/holiday.jpg", Severity: model.High}})
				if f := r.Find(webshell.RuleImageCode); len(f) == 1 && (f[0].Evidence.Extra["region"] != "tail" || f[0].Evidence.SHA256 == "") {
					t.Errorf("evidence: %+v", f[0].Evidence)
				}
			}
			gap := false
			for _, g := range r.Gaps {
				gap = gap || (g.Msg.ID == "files.gap.skip.content-cap" && strings.HasSuffix(g.Path, "holiday.jpg"))
			}
			if !gap {
				t.Errorf("no content-cap gap: %+v", r.Gaps)
			}
		})
	}
}
