package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-ir/vigil/internal/evidence"
	"github.com/vigil-ir/vigil/internal/incident"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/store"
)

// ImageOptions configure `vigil image`.
type ImageOptions struct {
	Source   string
	Output   string    // a new file, or "-" for Stdout
	Stdout   io.Writer // where "-" goes
	MD5      bool
	Command  []string
	Store    string // the store: the open incident case gets the image
	Getenv   func(string) string
	Progress func(done, total int64, bad int)
}

// RecordSuffix names the record written beside an image.
const RecordSuffix = ".vigil-image.json"

// Image copies a block device or file like dd conv=noerror,sync with
// streaming digests, refusing to write onto the source, and writes the
// record (digests, unreadable sectors, who, when) beside the image.
func Image(ctx context.Context, o ImageOptions) (*evidence.ImageRecord, error) {
	if o.Output != "-" {
		if _, err := os.Lstat(o.Output); err == nil {
			return nil, &MsgError{model.Msg("evidence.err.exists", o.Output)}
		}
		if err := evidence.CheckNotOntoSource(o.Source, o.Output); err != nil {
			if errors.Is(err, evidence.ErrOntoSource) {
				return nil, &MsgError{model.Msg("image.err.onto-source", o.Output, o.Source)}
			}
			return nil, err
		}
	}
	src, err := openNoAtime(o.Source)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	size, err := evidence.SourceSize(src)
	if err != nil {
		return nil, err
	}
	actor := CurrentActor(o.Getenv)
	host, _ := os.Hostname()
	rec := &evidence.ImageRecord{
		Format: "vigil-image/1", Tool: "vigil", Version: Version, Command: o.Command, Source: o.Source, Output: o.Output,
		Case: CurrentIncident(ctx, o.Store), Operator: evidence.Collector{Hostname: host, User: actor.User, SudoUser: actor.SudoUser},
		Started: time.Now().UTC(),
	}
	var dst io.Writer = o.Stdout
	var file *os.File
	if o.Output != "-" {
		if err := checkSpace(filepath.Dir(o.Output), size); err != nil {
			return nil, err
		}
		if file, err = os.OpenFile(o.Output, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return nil, err
		}
		dst = file
	}
	res, err := evidence.Image(ctx, src, size, dst, evidence.ImageOptions{MD5: o.MD5, Progress: o.Progress})
	if err = closeOutput(file, err); err != nil {
		return nil, err
	}
	rec.Result, rec.Finished = res, time.Now().UTC()
	if rec.Case != "" {
		_, _ = AttachToIncident(ctx, o.Store, store.CaseEvent{Actor: actor.String(), Kind: incident.KindImage, Ref: o.Output,
			Detail: fmt.Sprintf("%s, %d bytes, sha256 %s, %d unreadable sectors", o.Source, res.Bytes, res.SHA256, res.BadSectors)})
	}
	if o.Output != "-" {
		b, err := json.MarshalIndent(rec, "", "  ")
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(o.Output+RecordSuffix, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		_, err = f.Write(append(b, '\n'))
		if err = closeOutput(f, err); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// openNoAtime opens a source read-only without touching its access time
// where the kernel allows it.
func openNoAtime(p string) (*os.File, error) {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOATIME, 0)
	if errors.Is(err, unix.EPERM) {
		fd, err = unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	return os.NewFile(uintptr(fd), p), nil
}
