package integrity

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sync"
)

// walkAll walks walkRoots in order. The subtrees of each root's top-level
// directories are walked by r.workers goroutines at a time: a lived-in
// host has hundreds of thousands of files, and a walk spends its time
// waiting on one lstat after another. The check's findings do not depend on
// the order (the engine sorts nothing; each finding names its file).
func (w *walker) walkAll(ctx context.Context) error {
	for _, root := range walkRoots {
		if err := w.walkRoot(ctx, root); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) walkRoot(ctx context.Context, root string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		mu.Unlock()
	}
	for range max(w.workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sub := range jobs {
				if err := w.safeWalkTree(ctx, sub, root); err != nil {
					fail(err)
				}
			}
		}()
	}
	// The root's own entries are visited here; each of its directories
	// that visit would enter is handed to a worker instead.
	err := w.t.Walk(root, func(p string, d fs.DirEntry, err error) error {
		if verr := w.step(ctx, p, root, d, err); verr != nil || p == root || d == nil || !d.IsDir() || path.Dir(p) != root {
			return verr
		}
		select {
		case jobs <- p:
		case <-ctx.Done():
			return ctx.Err()
		}
		return fs.SkipDir
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		return err
	}
	return firstErr
}

// safeWalkTree is walkTree in a worker goroutine, where a panic would
// take the whole process down (the engine recovers only the check's own
// goroutine).
func (w *walker) safeWalkTree(ctx context.Context, sub, root string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("walk %s: panic: %v", sub, p)
		}
	}()
	return w.walkTree(ctx, sub, root)
}

// walkTree walks the subtree at sub of root; sub itself was visited
// already.
func (w *walker) walkTree(ctx context.Context, sub, root string) error {
	seen := true
	err := w.t.Walk(sub, func(p string, d fs.DirEntry, err error) error {
		if seen && p == sub && err == nil {
			return nil
		}
		return w.step(ctx, p, root, d, err)
	})
	if err == fs.SkipDir {
		return nil // sub itself was skipped (a pseudo-filesystem mounted there)
	}
	return err
}

// step visits one entry, checking for cancellation now and then.
func (w *walker) step(ctx context.Context, p, root string, d fs.DirEntry, err error) error {
	if w.n.Add(1)%4096 == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return w.visit(p, root, d, err)
}
