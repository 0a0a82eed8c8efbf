// Package chromium finds Debian's Chromium and starts it headless for
// Vigil's own pages: the incident report printed to PDF, and the browser
// checks of the tests (internal/testutil/browser). It is the one place
// that knows the program's path and the flags it runs with.
//
// The flags keep the browser quiet and alone: no sandbox (Vigil runs as
// root, where Chromium's sandbox refuses to start), no GPU, no QUIC, no
// first-run page, no background networking, component updates or sync,
// and an empty profile directory. Pages are Vigil's own self-contained
// files: nothing is fetched from the network.
package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Paths are where Chromium is looked for, in order (Debian's package
// first). VIGIL_CHROMIUM, when set, is tried before them.
var Paths = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"}

// ErrNotFound says that no Chromium was found; Install says what to do.
var ErrNotFound = errors.New("chromium not found")

// Install is the command that provides what Vigil needs from a browser on
// Debian and Ubuntu: Chromium, and Noto CJK so Chinese text has glyphs.
const Install = "apt-get install chromium fonts-noto-cjk"

// Find returns the path of the Chromium to run, or ErrNotFound.
func Find() (string, error) {
	paths := Paths
	if p := os.Getenv("VIGIL_CHROMIUM"); p != "" {
		paths = append([]string{p}, paths...)
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Flags are the command-line switches Chromium runs with (see the package
// comment), without the profile directory.
var Flags = []string{"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
	"disable-background-networking", "disable-component-update", "disable-sync"}

// Options are the allocator options for the Chromium at path. An empty
// userDataDir lets chromedp make an empty temporary profile and remove it
// when the browser ends.
func Options(path, userDataDir string) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.NoDefaultBrowserCheck}
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	if userDataDir != "" {
		opts = append(opts, chromedp.UserDataDir(userDataDir))
	}
	return opts
}

// Start runs the Chromium at path headless and returns a browser context
// (a first tab) and the function that ends the browser.
func Start(ctx context.Context, path, userDataDir string) (context.Context, context.CancelFunc, error) {
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, Options(path, userDataDir)...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		cancelBrowser()
		cancelAlloc()
		return nil, nil, err
	}
	return bctx, func() { cancelBrowser(); cancelAlloc() }, nil
}

// PrintPDF is the action that prints the tab's page to PDF: A4, with
// backgrounds, the page's own margins (the report's CSS), no header or
// footer. Chromium embeds the fonts it used (subsets) in the file.
func PrintPDF() chromedp.Action[[]byte] {
	return chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargin(0.6), chromedp.PDFPrintBackground())
}

// RenderPDF starts headless Chromium, sets html as the document of a blank
// tab (nothing is written to disk, nothing fetched), waits for it to lay
// out and returns it printed to PDF. ErrNotFound when there is no Chromium.
func RenderPDF(ctx context.Context, html []byte) ([]byte, error) {
	path, err := Find()
	if err != nil {
		return nil, err
	}
	bctx, cancel, err := Start(ctx, path, "")
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	defer cancel()
	err = chromedp.Do(bctx,
		chromedp.Navigate("about:blank"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
			if err != nil {
				return err
			}
			_, err = chromedp.Call(ctx, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)})
			return err
		}),
		chromedp.WaitReady("body"),
		// Fonts load after the document: print once they are ready.
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, awaitPromise)(ctx, t)
			return err
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("loading the page in %s: %w", path, err)
	}
	return chromedp.Run(bctx, PrintPDF())
}

func awaitPromise(p *runtime.EvaluateParams) {
	yes := true
	p.AwaitPromise = &yes
}
