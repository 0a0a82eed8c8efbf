package pkgdb

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// rpm header tags and types used here (rpm/rpmtag.h).
const (
	tagName           = 1000
	tagVersion        = 1001
	tagRelease        = 1002
	tagEpoch          = 1003
	tagArch           = 1022
	tagSourceRPM      = 1044
	tagOldFilenames   = 1027
	tagFileStates     = 1029
	tagFileModes      = 1030
	tagFileDigests    = 1035
	tagFileFlags      = 1037
	tagDirIndexes     = 1116
	tagBasenames      = 1117
	tagDirnames       = 1118
	tagFileDigestAlgo = 5011

	typeChar        = 1
	typeInt8        = 2
	typeInt16       = 3
	typeInt32       = 4
	typeString      = 6
	typeStringArray = 8
	typeI18NString  = 9

	rpmFileConfig = 1 << 0
	rpmFileGhost  = 1 << 6

	// Limits rpm itself enforces on a header (lib/header.c).
	maxHeaderEntries = 0xffff
	maxHeaderData    = 256 << 20
)

// RPMFile is one file of an rpm package.
type RPMFile struct {
	Path   string
	Mode   uint16
	Digest []byte // raw; nil for directories, symlinks, ghosts
	Config bool
}

// RPMPackage is what Vigil reads from one rpm header.
type RPMPackage struct {
	Name, Version, Arch string
	// Source is the source package's name, from SOURCERPM
	// ("openssl-3.0.7-27.el9.src.rpm" -> "openssl"); SourceVersion its
	// version-release ("3.0.7-27.el9").
	Source, SourceVersion string
	Algo                  string // digest algorithm of Files
	Files                 []RPMFile
}

// splitSourceRPM splits a SOURCERPM file name "name-version-release.src.rpm"
// (also ".nosrc.rpm") into the name and "version-release". A value not of
// that shape gives "", "".
func splitSourceRPM(s string) (name, verRel string) {
	base, ok := strings.CutSuffix(s, ".src.rpm")
	if !ok {
		if base, ok = strings.CutSuffix(s, ".nosrc.rpm"); !ok {
			return "", ""
		}
	}
	r := strings.LastIndexByte(base, '-')
	if r <= 0 {
		return "", ""
	}
	v := strings.LastIndexByte(base[:r], '-')
	if v <= 0 {
		return "", ""
	}
	return base[:v], base[v+1:]
}

var errHeader = errors.New("malformed rpm header")

type headerEntry struct {
	typ   uint32
	count uint32
	data  []byte // from the entry's offset to the end of the data store
}

// ParseRPMHeader decodes an rpm header blob as the rpm database stores it
// (index count, data length, index entries, data store; big-endian). Every
// offset is bounds-checked: a corrupt blob gives an error, never a panic.
func ParseRPMHeader(blob []byte) (*RPMPackage, error) {
	if len(blob) < 8 {
		return nil, fmt.Errorf("%w: %d bytes", errHeader, len(blob))
	}
	il := binary.BigEndian.Uint32(blob[0:4])
	dl := binary.BigEndian.Uint32(blob[4:8])
	if il == 0 || il > maxHeaderEntries || dl > maxHeaderData {
		return nil, fmt.Errorf("%w: %d entries, %d data bytes", errHeader, il, dl)
	}
	dataStart := 8 + uint64(il)*16
	dataEnd := dataStart + uint64(dl)
	if dataEnd > uint64(len(blob)) {
		return nil, fmt.Errorf("%w: truncated (%d of %d bytes)", errHeader, len(blob), dataEnd)
	}
	store := blob[dataStart:dataEnd]
	ents := map[uint32]headerEntry{}
	for i := uint64(0); i < uint64(il); i++ {
		e := blob[8+i*16 : 8+i*16+16]
		tag := binary.BigEndian.Uint32(e[0:4])
		off := binary.BigEndian.Uint32(e[8:12])
		if off > uint32(len(store)) {
			continue
		}
		ents[tag] = headerEntry{typ: binary.BigEndian.Uint32(e[4:8]), count: binary.BigEndian.Uint32(e[12:16]), data: store[off:]}
	}
	p := &RPMPackage{Name: hdrString(ents, tagName)}
	if p.Name == "" {
		return nil, fmt.Errorf("%w: no name", errHeader)
	}
	p.Version = hdrString(ents, tagVersion)
	if rel := hdrString(ents, tagRelease); rel != "" {
		p.Version += "-" + rel
	}
	if ep, ok := hdrInts(ents, tagEpoch); ok && len(ep) == 1 && ep[0] != 0 {
		p.Version = strconv.FormatUint(uint64(ep[0]), 10) + ":" + p.Version
	}
	p.Arch = hdrString(ents, tagArch)
	p.Source, p.SourceVersion = splitSourceRPM(hdrString(ents, tagSourceRPM))

	var names []string
	if base, ok := hdrStrings(ents, tagBasenames); ok {
		dirs, _ := hdrStrings(ents, tagDirnames)
		idx, _ := hdrInts(ents, tagDirIndexes)
		if len(idx) != len(base) {
			return nil, fmt.Errorf("%w: %s: %d basenames, %d dir indexes", errHeader, p.Name, len(base), len(idx))
		}
		names = make([]string, len(base))
		for i, b := range base {
			if int(idx[i]) >= len(dirs) {
				return nil, fmt.Errorf("%w: %s: dir index out of range", errHeader, p.Name)
			}
			names[i] = dirs[idx[i]] + b
		}
	} else if old, ok := hdrStrings(ents, tagOldFilenames); ok {
		names = old
	}
	if len(names) == 0 {
		return p, nil
	}
	a := algoMD5 // rpm's default when FILEDIGESTALGO is absent
	if v, ok := hdrInts(ents, tagFileDigestAlgo); ok && len(v) == 1 {
		switch v[0] {
		case 1:
			a = algoMD5
		case 2:
			a = algoSHA1
		case 8:
			a = algoSHA256
		case 10:
			a = algoSHA512
		default:
			a = algoNone // sha384, sha224: not verified
		}
	}
	p.Algo = a.String()
	digests, _ := hdrStrings(ents, tagFileDigests)
	flags, _ := hdrInts(ents, tagFileFlags)
	modes, _ := hdrInt16s(ents, tagFileModes)
	// FILESTATES: 0 normal; replaced (by another package's copy), not
	// installed (--excludedocs, nodocs in containers), netshared and
	// wrong color (the other multilib arch won) carry digests that do not
	// describe the file on disk.
	states := hdrBytes(ents, tagFileStates)
	p.Files = make([]RPMFile, len(names))
	for i, n := range names {
		f := RPMFile{Path: path.Clean("/" + n)}
		if i < len(modes) {
			f.Mode = modes[i]
		}
		if i < len(flags) {
			f.Config = flags[i]&rpmFileConfig != 0
		}
		ghost := i < len(flags) && flags[i]&rpmFileGhost != 0
		installed := i >= len(states) || states[i] == 0
		if i < len(digests) && digests[i] != "" && !ghost && installed && a != algoNone {
			if raw, err := hex.DecodeString(digests[i]); err == nil && len(raw) == a.size() {
				f.Digest = raw
			}
		}
		p.Files[i] = f
	}
	return p, nil
}

func hdrString(ents map[uint32]headerEntry, tag uint32) string {
	e, ok := ents[tag]
	if !ok || (e.typ != typeString && e.typ != typeI18NString && e.typ != typeStringArray) {
		return ""
	}
	if i := bytes.IndexByte(e.data, 0); i >= 0 {
		return string(e.data[:i])
	}
	return ""
}

func hdrStrings(ents map[uint32]headerEntry, tag uint32) ([]string, bool) {
	e, ok := ents[tag]
	if !ok || (e.typ != typeStringArray && e.typ != typeI18NString) || e.count > maxHeaderData {
		return nil, false
	}
	out := make([]string, 0, min(e.count, 1<<16))
	d := e.data
	for range e.count {
		i := bytes.IndexByte(d, 0)
		if i < 0 {
			return nil, false
		}
		out = append(out, string(d[:i]))
		d = d[i+1:]
	}
	return out, true
}

func hdrInts(ents map[uint32]headerEntry, tag uint32) ([]uint32, bool) {
	e, ok := ents[tag]
	if !ok || e.typ != typeInt32 || uint64(e.count)*4 > uint64(len(e.data)) {
		return nil, false
	}
	out := make([]uint32, e.count)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(e.data[i*4:])
	}
	return out, true
}

func hdrInt16s(ents map[uint32]headerEntry, tag uint32) ([]uint16, bool) {
	e, ok := ents[tag]
	if !ok || e.typ != typeInt16 || uint64(e.count)*2 > uint64(len(e.data)) {
		return nil, false
	}
	out := make([]uint16, e.count)
	for i := range out {
		out[i] = binary.BigEndian.Uint16(e.data[i*2:])
	}
	return out, true
}

func hdrBytes(ents map[uint32]headerEntry, tag uint32) []byte {
	e, ok := ents[tag]
	if !ok || (e.typ != typeChar && e.typ != typeInt8) || uint64(e.count) > uint64(len(e.data)) {
		return nil
	}
	return e.data[:e.count]
}
