package logs

import (
	"bytes"
	"encoding/binary"
	"io"
	"strconv"
	"time"

	journal "github.com/Velocidex/go-journalctl/parser"
	"github.com/klauspost/compress/zstd"

	"github.com/vigil-ir/vigil/internal/model"
)

// The systemd journal reader. go-journalctl opens the file (signature,
// compact or regular layout, arena size) and gives the data object layout
// (its profile); the walk over the objects is ours, because the library's
// GetLogs stops at the first damaged object and sizes its reads by what a
// damaged object claims. Here a damaged object or entry is skipped and
// counted, the walk resynchronises on the next plausible object header,
// and no read is larger than journalMaxObject: a corrupt entry is never
// the end of the file (plaso#5109).

const (
	objHeaderSize    = 16
	objData          = 1
	objEntry         = 3
	objTag           = 7
	journalMaxObject = 1 << 20 // larger objects are skipped as damaged (journald writes far smaller ones)
	journalMaxItems  = 4096
	journalWindow    = 1 << 20

	dataCompressedXZ   = 1
	dataCompressedLZ4  = 2
	dataCompressedZSTD = 4
)

// window reads a file through a 1 MiB window (objects are small and read
// in order).
type window struct {
	r    io.ReaderAt
	size int64
	off  int64
	buf  []byte
}

// at returns n bytes at off, or nil when they are not in the file.
func (w *window) at(off, n int64) []byte {
	if off < 0 || n < 0 || n > journalMaxObject+journalWindow || off > w.size-n { // no off+n: it can overflow
		return nil
	}
	if off >= w.off && off+n <= w.off+int64(len(w.buf)) {
		return w.buf[off-w.off : off-w.off+n]
	}
	size := max(n, journalWindow)
	size = min(size, w.size-off)
	if int64(cap(w.buf)) < size {
		w.buf = make([]byte, size)
	}
	w.buf = w.buf[:size]
	m, err := w.r.ReadAt(w.buf, off)
	if int64(m) < n && err != nil {
		w.buf = w.buf[:0]
		return nil
	}
	w.buf, w.off = w.buf[:m], off
	return w.buf[:n]
}

// journalParser reads one journal file (.journal, .journal~): one event per
// entry, its MESSAGE classified like a syslog line of its
// SYSLOG_IDENTIFIER (so sshd, sudo, su ... give the same kinds).
func journalParser(r *reader) error {
	f, st, ok := r.openFile()
	if !ok {
		return nil
	}
	defer f.Close()
	jf, err := journal.OpenFile(f)
	if err != nil {
		r.cov.Errors++
		r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.journal-header"))
		return nil
	}
	w := &window{r: f, size: st.Size()}
	hdr := w.at(0, 144)
	if hdr == nil {
		r.cov.Errors++
		r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.journal-header"))
		return nil
	}
	// A damaged header (a header size beyond the file, or so large it reads
	// as negative; an arena larger than the file): walk what is there, from
	// the end of the header's fixed part.
	start := int64(binary.LittleEndian.Uint64(hdr[88:96]))
	if start < 96 || start > w.size {
		start = 96
	}
	end := start + jf.ArenaSize
	if jf.ArenaSize < 0 || end > w.size || end < start {
		end = w.size
	}
	jr := &journalReader{r: r, w: w, jf: jf, start: start, end: end}
	// The arena is preallocated: the objects end after the tail object.
	if tail := int64(binary.LittleEndian.Uint64(hdr[136:144])); tail >= start && tail < end {
		if _, _, size, ok := jr.header(tail); ok {
			jr.end = tail + (size+7)&^7
		}
	}
	if jf.IsCompact {
		jr.payload = objHeaderSize + jf.Profile.Off_CompatDataObject_payload
		jr.itemSize = 4
	} else {
		jr.payload = objHeaderSize + jf.Profile.Off_DataObject_payload
		jr.itemSize = 16
	}
	corrupt, err := jr.walk()
	if corrupt > 0 {
		r.cov.Skipped += corrupt
		r.rec.GapMsg(model.GapError, r.file.Path, model.Msg("logparse.gap.journal-corrupt", corrupt))
	}
	return err
}

type journalReader struct {
	r          *reader
	w          *window
	jf         *journal.JournalFile
	start, end int64
	payload    int64 // offset of a data object's payload from the object start
	itemSize   int64
	zd         *zstd.Decoder
	n          int
}

// header reads the object header at off; ok false when it is not a
// plausible one.
func (j *journalReader) header(off int64) (typ, flags byte, size int64, ok bool) {
	b := j.w.at(off, objHeaderSize)
	if b == nil {
		return 0, 0, 0, false
	}
	typ, flags = b[0], b[1]
	size = int64(binary.LittleEndian.Uint64(b[8:16]))
	ok = typ >= objData && typ <= objTag && flags <= 7 && bytes.Count(b[2:8], []byte{0}) == 6 &&
		size >= objHeaderSize && size <= j.end-off
	return typ, flags, size, ok
}

// walk visits every object of the arena, in file order.
func (j *journalReader) walk() (corrupt int64, err error) {
	off := j.start
	inBad := false
	for off+objHeaderSize <= j.end {
		typ, _, size, ok := j.header(off)
		if !ok {
			nz, found := j.nextNonZero(off)
			if !found {
				break // the unused end of a file journald did not close
			}
			if nz > off+8 {
				// Objects are contiguous: zeros between them are a wiped
				// stretch. Skip it at once.
				if !inBad {
					corrupt++
				}
				inBad = true
				off = nz &^ 7
				continue
			}
			if !inBad {
				corrupt++
				inBad = true
			}
			off += 8
			continue
		}
		inBad = false
		if typ == objEntry {
			if done, err := j.entry(off, size); err != nil {
				return corrupt, err
			} else if !done {
				corrupt++
			}
		}
		off += (size + 7) &^ 7
	}
	return corrupt, nil
}

// nextNonZero returns the offset of the first byte that is not zero from
// off on, found false when the rest of the arena is zeros.
func (j *journalReader) nextNonZero(off int64) (int64, bool) {
	for ; off < j.end; off += journalWindow {
		b := j.w.at(off, min(journalWindow, j.end-off))
		if b == nil {
			return off, true
		}
		for i, c := range b {
			if c != 0 {
				return off + int64(i), true
			}
		}
	}
	return 0, false
}

// entry reads the entry object at off; false when it is damaged.
func (j *journalReader) entry(off, size int64) (bool, error) {
	if size < 64 || size > journalMaxObject {
		return false, nil
	}
	b := j.w.at(off, 64)
	if b == nil {
		return false, nil
	}
	realtime := int64(binary.LittleEndian.Uint64(b[24:32]))
	if realtime < 946684800e6 || realtime > 4102444800e6 { // 2000 .. 2100
		return false, nil
	}
	nItems := (size - 64) / j.itemSize
	if nItems <= 0 || nItems > journalMaxItems {
		return false, nil
	}
	items := append([]byte(nil), j.w.at(off+64, nItems*j.itemSize)...)
	if len(items) == 0 {
		return false, nil
	}
	var msg, ident, comm, host, pid, spid, unit, prio, srcTime []byte
	fields := 0
	for i := int64(0); i < nItems; i++ {
		var obj int64
		if j.itemSize == 4 {
			obj = int64(binary.LittleEndian.Uint32(items[i*4:]))
		} else {
			obj = int64(binary.LittleEndian.Uint64(items[i*16:]))
		}
		kv := j.data(obj)
		if kv == nil {
			continue
		}
		fields++
		k, v, ok := bytes.Cut(kv, []byte("="))
		if !ok {
			continue
		}
		switch string(k) {
		case "MESSAGE":
			msg = v
		case "SYSLOG_IDENTIFIER":
			ident = v
		case "_COMM":
			comm = v
		case "_HOSTNAME":
			host = v
		case "_PID":
			pid = v
		case "SYSLOG_PID":
			spid = v
		case "_SYSTEMD_UNIT":
			unit = v
		case "PRIORITY":
			prio = v
		case "_SOURCE_REALTIME_TIMESTAMP":
			srcTime = v
		}
	}
	if fields == 0 {
		return false, nil
	}
	j.n++
	r := j.r
	r.cov.Lines++
	r.cov.Parsed++
	ev := &r.ev
	*ev = model.Event{Source: FormatJournal, File: r.file.Path, Line: j.n, Host: r.opts.Host}
	ev.Time = time.UnixMicro(realtime).UTC()
	if us, err := strconv.ParseInt(string(srcTime), 10, 64); err == nil && us > 946684800e6 && us < 4102444800e6 {
		ev.Time = time.UnixMicro(us).UTC()
	}
	if len(host) > 0 {
		ev.Host = r.intern(host)
	}
	prog := ident
	if len(prog) == 0 {
		prog = comm
	}
	ev.Program = r.intern(prog)
	if len(pid) == 0 {
		pid = spid
	}
	ev.PID = max(num(pid), 0)
	me := msgEvent{Event: ev, r: r}
	classify(&me, prog, msg)
	me.set("unit", unit)
	me.set("priority", prio)
	ev.Fields = r.fieldsOf(&me)
	raw := make([]byte, 0, 64+len(msg))
	raw = ev.Time.AppendFormat(raw, time.RFC3339Nano)
	raw = append(raw, ' ')
	raw = append(raw, host...)
	raw = append(raw, ' ')
	raw = append(raw, prog...)
	if len(pid) > 0 {
		raw = append(append(append(raw, '['), pid...), ']')
	}
	raw = append(append(raw, ": "...), msg...)
	return true, r.emit(ev, raw)
}

// data returns the payload ("FIELD=value") of the data object at off, nil
// when it is not one or cannot be decoded.
func (j *journalReader) data(off int64) []byte {
	if off < j.start || off >= j.end {
		return nil
	}
	typ, flags, size, ok := j.header(off)
	if !ok || typ != objData || size <= j.payload || size > journalMaxObject {
		return nil
	}
	p := j.w.at(off+j.payload, size-j.payload)
	if p == nil {
		return nil
	}
	switch {
	case flags&dataCompressedZSTD != 0:
		if j.zd == nil {
			d, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(journalMaxObject), zstd.WithDecoderConcurrency(1))
			if err != nil {
				return nil
			}
			j.zd = d
		}
		out, err := j.zd.DecodeAll(p, nil)
		if err != nil || len(out) > journalMaxObject {
			return nil
		}
		return out
	case flags&(dataCompressedXZ|dataCompressedLZ4) != 0:
		return nil // not decoded: journald compresses only large fields (> 512 bytes) this way
	}
	return append([]byte(nil), p...)
}
