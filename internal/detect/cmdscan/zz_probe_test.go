package cmdscan

import (
	"fmt"
	"os"
	"bufio"
	"testing"
)

func TestZZProbe(t *testing.T) {
	f, err := os.Open("/tmp/probe/lines.txt")
	if err != nil { t.Skip() }
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		fmt.Printf("%-90s", l)
		for _, m := range Scan(l) { fmt.Printf(" [%s %s/%s %q]", m.ID, m.Severity, m.Confidence, m.Fragment) }
		fmt.Println()
	}
}
