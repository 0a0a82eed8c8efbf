package browser

import (
	"bytes"
	"regexp"
	"slices"
)

// PDFFont is one font a PDF uses, and whether the file embeds it.
type PDFFont struct {
	Name     string
	Embedded bool
}

var (
	objRE      = regexp.MustCompile(`(?s)(\d+)\s+\d+\s+obj\b(.*?)endobj`)
	fontNameRE = regexp.MustCompile(`/FontName\s*/([^\s/\[\]<>()]+)`)
	descRefRE  = regexp.MustCompile(`/FontDescriptor\s+(\d+)\s+\d+\s+R`)
	type3RE    = regexp.MustCompile(`/Subtype\s*/Type3\b`)
)

// PDFFonts lists the fonts of a PDF by their font descriptors (/FontName)
// and calls one embedded when its descriptor carries a font program
// (/FontFile, /FontFile2, /FontFile3) or a Type 3 font, whose glyphs are
// drawn in the file itself, refers to it. Chromium writes CJK fonts from
// OpenType collections as Type 3 fonts, which pdffonts lists without a
// name, so the descriptors are read here. Chromium does not compress its
// object dictionaries, which this reading needs.
func PDFFonts(pdf []byte) []PDFFont {
	type desc struct {
		name     string
		embedded bool
	}
	descs := map[string]*desc{}
	var order []string
	type3 := map[string]bool{}
	for _, m := range objRE.FindAllSubmatch(pdf, -1) {
		num, body := string(m[1]), m[2]
		if bytes.Contains(body, []byte("/Type /FontDescriptor")) || bytes.Contains(body, []byte("/Type/FontDescriptor")) {
			if n := fontNameRE.FindSubmatch(body); n != nil {
				descs[num] = &desc{name: string(n[1]), embedded: bytes.Contains(body, []byte("/FontFile"))}
				order = append(order, num)
			}
			continue
		}
		if type3RE.Match(body) {
			if r := descRefRE.FindSubmatch(body); r != nil {
				type3[string(r[1])] = true
			}
		}
	}
	var fs []PDFFont
	for _, num := range order {
		d := descs[num]
		f := PDFFont{Name: d.name, Embedded: d.embedded || type3[num]}
		if !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	return fs
}
