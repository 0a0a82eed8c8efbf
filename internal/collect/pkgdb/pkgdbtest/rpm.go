package pkgdbtest

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"os"
	"path/filepath"
	"sort"
	"testing"

	_ "modernc.org/sqlite" // rpmdb.sqlite fixtures
)

// RPMTag is one tag of a test rpm header. Val is a string, []string,
// []uint32 (INT32), []uint16 (INT16) or []byte (CHAR).
type RPMTag struct {
	ID  uint32
	Val any
}

// RPMHeader encodes an rpm header blob as the rpm database stores it
// (index count and data length, big-endian index entries, data store),
// with a leading immutable-region entry like rpm writes.
func RPMHeader(tags ...RPMTag) []byte {
	sort.Slice(tags, func(i, j int) bool { return tags[i].ID < tags[j].ID })
	var index, store bytes.Buffer
	put := func(tag, typ, count uint32) {
		binary.Write(&index, binary.BigEndian, [4]uint32{tag, typ, uint32(store.Len()), count})
	}
	put(63, 7, 16) // HEADER_IMMUTABLE region marker
	store.Write(make([]byte, 16))
	for _, v := range tags {
		switch x := v.Val.(type) {
		case string:
			put(v.ID, 6, 1)
			store.WriteString(x + "\x00")
		case []string:
			put(v.ID, 8, uint32(len(x)))
			for _, s := range x {
				store.WriteString(s + "\x00")
			}
		case []byte:
			put(v.ID, 1, uint32(len(x)))
			store.Write(x)
		case []uint32:
			for store.Len()%4 != 0 {
				store.WriteByte(0)
			}
			put(v.ID, 4, uint32(len(x)))
			binary.Write(&store, binary.BigEndian, x)
		case []uint16:
			for store.Len()%2 != 0 {
				store.WriteByte(0)
			}
			put(v.ID, 3, uint32(len(x)))
			binary.Write(&store, binary.BigEndian, x)
		}
	}
	var out bytes.Buffer
	binary.Write(&out, binary.BigEndian, [2]uint32{uint32(index.Len() / 16), uint32(store.Len())})
	out.Write(index.Bytes())
	out.Write(store.Bytes())
	return out.Bytes()
}

// RPMSqlite writes headers into root/var/lib/rpm/rpmdb.sqlite like rpm
// 4.16+ does (table Packages, column blob).
func RPMSqlite(t testing.TB, root string, headers ...[]byte) {
	t.Helper()
	dir := filepath.Join(root, "var/lib/rpm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "rpmdb.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		if _, err := db.Exec("INSERT INTO Packages (blob) VALUES (?)", h); err != nil {
			t.Fatal(err)
		}
	}
}
