package logs

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/vigil-ir/vigil/internal/ioc"
	"github.com/vigil-ir/vigil/internal/logs/rules"
	"github.com/vigil-ir/vigil/internal/model"
)

// RuleIOC is a log event naming a listed address, domain or URL (--ioc).
const RuleIOC = "logs.ioc.match"

// maxURLs bounds the URLs looked up in one event's text.
const maxURLs = 4

// IOCs judges every event against indicator lists: its source address,
// the host of a web request (vhost, referrer) and the URLs in its raw line
// and command. It implements rules.Observer.
type IOCs struct{ Set *ioc.Set }

// Observe implements rules.Observer.
func (o IOCs) Observe(e *model.Event, hit func(rules.Hit, *model.Event)) {
	report := func(ind ioc.Indicator, sev model.Severity, conf model.Confidence) {
		hit(rules.Hit{Rule: RuleIOC, Key: string(ind.Type) + "\x00" + ind.Value, Subject: string(ind.Type) + " " + ind.Value,
			Severity: sev, Confidence: conf, Extra: ioc.Extra(ind)}, e)
	}
	if e.SrcIP != "" {
		if a, err := netip.ParseAddr(e.SrcIP); err == nil {
			if ind, ok := o.Set.LookupIP(a); ok {
				report(ind, model.High, model.ConfHigh)
			}
		}
	}
	for _, h := range []string{e.Fields["vhost"], hostOf(e.Fields["referer"])} {
		if h != "" {
			if ind, ok := o.Set.LookupDomain(h); ok {
				report(ind, model.High, model.ConfMedium)
			}
		}
	}
	n := 0
	for _, text := range []string{e.Raw, e.Fields["command"]} {
		for n < maxURLs {
			i := strings.Index(text, "://")
			if i < 0 {
				break
			}
			start := strings.LastIndexAny(text[:i], " \t\"'(=|;`") + 1
			end := i + strings.IndexAny(text[i:]+" ", " \t\"')|;`")
			u := text[start:end]
			text = text[end:]
			n++
			if ind, ok := o.Set.LookupURL(u); ok {
				report(ind, model.High, model.ConfHigh)
			} else if ind, ok := o.Set.LookupDomain(hostOf(u)); ok {
				report(ind, model.High, model.ConfMedium)
			}
		}
	}
}

func hostOf(u string) string {
	if u == "" || u == "-" {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Hostname()
}
