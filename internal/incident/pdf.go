package incident

import (
	"bytes"
	"context"
	"io"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/chromium"
)

// FormatPDF is the report printed to PDF by headless Chromium.
const FormatPDF = "pdf"

// RenderPDF writes r as PDF: the HTML report (template tmpl) laid out and
// printed by headless Chromium, which embeds the fonts it drew with — Noto
// CJK for Chinese when fonts-noto-cjk is installed. chromium.ErrNotFound
// when there is no browser (chromium.Install says what to install).
func RenderPDF(ctx context.Context, w io.Writer, r *Report, c *catalog.Catalog, tmpl string) error {
	var page bytes.Buffer
	if err := Render(&page, r, c, FormatHTML, tmpl); err != nil {
		return err
	}
	pdf, err := chromium.RenderPDF(ctx, page.Bytes())
	if err != nil {
		return err
	}
	_, err = w.Write(pdf)
	return err
}
