package model

import (
	"fmt"
	"strings"
)

// Message is prose by id: what a check or the program says to a person
// (a gap's reason, a note about evidence), kept as a message id and its
// arguments so that it renders in the reader's language at output time and
// a stored scan replays in either language. The texts live in
// rules/messages/*.yaml; internal/catalog renders them.
type Message struct {
	ID   string   `json:"id"`
	Args []string `json:"args,omitempty"`
}

// Msg makes a Message. Each argument is kept as text (fmt.Sprint; an error
// as its Error()), so a stored message renders the same after a JSON round
// trip; the texts use %s (or %[n]s) for every argument.
func Msg(id string, args ...any) Message {
	m := Message{ID: id}
	if len(args) > 0 {
		m.Args = make([]string, len(args))
		for i, a := range args {
			switch v := a.(type) {
			case string:
				m.Args[i] = v
			case error:
				m.Args[i] = v.Error()
			default:
				m.Args[i] = fmt.Sprint(v)
			}
		}
	}
	return m
}

// IsZero reports whether m carries no message.
func (m Message) IsZero() bool { return m.ID == "" }

// String is a language-neutral rendering for logs and test failures: the id
// and its arguments. People read the catalog's rendering instead.
func (m Message) String() string {
	if len(m.Args) == 0 {
		return m.ID
	}
	return m.ID + "(" + strings.Join(m.Args, ", ") + ")"
}

// MessageError is an error whose words for people are a Message: a parser
// deep below the checks says why it rejected an input this way, and the
// check records the message itself as the gap's reason, so the reader
// sees it in their language. Error() is the language-neutral rendering.
type MessageError struct{ Msg Message }

func (e *MessageError) Error() string { return e.Msg.String() }

// ErrMsg returns a *MessageError with message id and its arguments.
func ErrMsg(id string, args ...any) error { return &MessageError{Msg: Msg(id, args...)} }

// MessageOf returns the message err carries (err or an error it wraps is a
// *MessageError), else fallback with err as its last argument.
func MessageOf(err error, fallback string, args ...any) Message {
	for e := err; e != nil; {
		if me, ok := e.(*MessageError); ok {
			return me.Msg
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return Msg(fallback, append(args, err)...)
}
