package netfw

import (
	"testing"
)

func TestWriteAndReadBack(t *testing.T) {
	l := newLab(t)
	b, err := isolation(Spec{Allow: []string{"10.231.0.2", "fd31::2"}, DNS: []string{"10.231.0.53"}, DeadMan: 60e9})
	if err != nil {
		t.Fatal(err)
	}
	c, done, err := conn(l.host)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if err := b.write(c); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := readBack(c, IsolateTable)
	if err != nil {
		t.Fatal(err)
	}
	if got != b.expected() {
		t.Errorf("read back:\n%s\nwant:\n%s", got, b.expected())
	}
}
