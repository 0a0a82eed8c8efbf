package utmptest

import (
	"database/sql"
	"time"

	_ "modernc.org/sqlite" // wtmpdb's database
)

// DBRow is a row of wtmpdb's table. A zero Logout leaves it NULL (a
// session still open); ID 0 lets SQLite number the row.
type DBRow struct {
	ID            int64
	Type          int // 1 run level, 2 boot, 3 user
	User          string
	Login, Logout time.Time
	TTY, Host     string
	Service       string
}

// Wtmpdb writes a wtmpdb database with wtmpdb's schema at path (a file
// of a test's fixture root) holding rows.
func Wtmpdb(path string, rows ...DBRow) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT)"); err != nil {
		return err
	}
	for _, r := range rows {
		var id, logout any
		if r.ID > 0 {
			id = r.ID
		}
		if !r.Logout.IsZero() {
			logout = r.Logout.UnixMicro()
		}
		login := int64(0)
		if !r.Login.IsZero() {
			login = r.Login.UnixMicro()
		}
		if _, err := db.Exec("INSERT INTO wtmp (ID, Type, User, Login, Logout, TTY, RemoteHost, Service) VALUES (?,?,?,?,?,?,?,?)",
			id, r.Type, r.User, login, logout, r.TTY, r.Host, r.Service); err != nil {
			return err
		}
	}
	return db.Close()
}
