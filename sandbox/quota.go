package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Mailbox storage quotas. Exchange refuses a write that a full mailbox
// cannot hold with 403 ErrorQuotaExceeded, and delivers nothing to a full
// recipient (the sender gets a non-delivery report). The sandbox has a
// second reason to refuse: its data is one JSON file that a sandbox reads
// back only up to maxDataBytes, so what all mailboxes hold together stays
// under a data limit too, and a sandbox that runs for long stays small.
//
// A mailbox's size is the length of its JSON as Save writes it (compact),
// kept as a running tally (Mailbox.used): measured whole when data is
// loaded, then changed by each write by what it adds or frees, measured on
// the items the write touches only (jsonLen, sizeDelta), never on the
// whole mailbox. Upload sessions in progress count for the size of the
// attachment they will add, from the moment they are created.

// DefaultMailboxQuotaBytes is a mailbox's quota when
// Options.MailboxQuotaBytes is 0: 50 MiB, room for a message at Exchange's
// 35 MB limit (about 47 MB once base64) and more.
const DefaultMailboxQuotaBytes = 50 << 20

// dataQuotaBytes bounds what all mailboxes hold together, upload sessions
// included: three quarters of maxDataBytes, the rest being more than the
// directory and the JSON around the mailboxes need.
const dataQuotaBytes = 192 << 20

// msgQuotaExceeded is Exchange's text for a full mailbox (Graph answers it
// with 403 ErrorQuotaExceeded: microsoftgraph/microsoft-graph-docs-contrib
// issue 6596).
const msgQuotaExceeded = "Mailbox has exceeded maximum mailbox size."

// room reports whether m can take delta more bytes: nil, or the error to
// answer. A write that frees space (delta <= 0) always fits, even in a
// mailbox over its quota, so that deleting makes room.
func (s *Server) room(m *Mailbox, delta int64) *graphError {
	if delta <= 0 {
		return nil
	}
	now := s.now()
	if q := s.mailboxQuota; q >= 0 {
		if used := m.used + s.uploads.reserved(m.User.ID, now); used+delta > q {
			return errQuotaExceeded("mailbox", fmt.Sprintf("The mailbox of %s holds %d bytes of its %d-byte quota; this write needs %d more. Delete items (large attachments first) to make room.",
				m.User.UserPrincipalName, used, q, delta))
		}
	}
	if used := s.dataUsed(now); used+delta > s.dataQuota {
		return errQuotaExceeded("sandbox", fmt.Sprintf("The sandbox's mailboxes hold %d bytes together, and its data file keeps at most %d; this write needs %d more. Delete items (large attachments first) to make room.",
			used, s.dataQuota, delta))
	}
	return nil
}

func errQuotaExceeded(target, detail string) *graphError {
	e := newError(403, "ErrorQuotaExceeded", msgQuotaExceeded)
	e.details = []Object{{"code": "ErrorQuotaExceeded", "target": target, "message": detail}}
	return e
}

// take records that delta bytes are stored in m (freed when negative),
// when m has room for them.
func (s *Server) take(m *Mailbox, delta int64) *graphError {
	if err := s.room(m, delta); err != nil {
		return err
	}
	s.charge(m, delta)
	return nil
}

// charge records delta bytes stored in m, or freed (negative), without
// asking for room: for what frees space, and for what a write must do
// whatever the quota (Exchange too lets a mailbox shrink when it is full).
func (s *Server) charge(m *Mailbox, delta int64) { m.used += delta }

// dataUsed is what all mailboxes hold, upload sessions included.
func (s *Server) dataUsed(now time.Time) int64 {
	n := s.uploads.reserved("", now)
	for _, m := range s.data.Users {
		n += m.used
	}
	return n
}

// edit changes o, an item of m (or a part of one), as fn changes a copy of
// it: the copy's content replaces o's when m has room for what fn added;
// otherwise o is left as it was and the quota error is returned. o keeps
// its identity, so that references to it stay valid.
func (s *Server) edit(m *Mailbox, o Object, fn func(Object)) *graphError {
	cp := cloneObject(o)
	fn(cp)
	if err := s.take(m, sizeDelta(o, cp)); err != nil {
		return err
	}
	replaceContent(o, cp)
	return nil
}

// shrink is edit for a change that frees room (a part of an item
// removed): it is made whatever the quota, even if what comes with it
// (a new timestamp) makes the item a few bytes larger.
func (s *Server) shrink(m *Mailbox, o Object, fn func(Object)) {
	cp := cloneObject(o)
	fn(cp)
	s.charge(m, sizeDelta(o, cp))
	replaceContent(o, cp)
}

// replaceContent makes o hold what cp holds.
func replaceContent(o, cp Object) {
	for k := range o {
		if _, ok := cp[k]; !ok {
			delete(o, k)
		}
	}
	for k, v := range cp {
		o[k] = v
	}
}

// addLen is what appending an item of n bytes to a list of l items adds
// to the list's JSON (the item and, after the first, a comma).
func addLen(l int, n int64) int64 {
	if l > 0 {
		return n + 1
	}
	return n
}

// removeLen is what removing an item of n bytes from a list of l items
// takes from the list's JSON (a negative number).
func removeLen(l int, n int64) int64 {
	if l > 1 {
		return -(n + 1)
	}
	return -n
}

// measure sets every mailbox's tally from its content.
func (d *Data) measure() {
	for _, m := range d.Users {
		m.used = mailboxLen(m)
	}
}

// mailboxLen is the length of m's JSON, as json.Marshal writes it.
func mailboxLen(m *Mailbox) int64 {
	user, _ := json.Marshal(m.User)
	n := int64(len(`{"user":,"mailboxSettings":,"events":,"todoLists":,"messages":}`)) + int64(len(user)) + jsonLen(m.MailboxSettings) +
		listLen(m.Events) + listLen(m.Messages)
	if m.TodoLists == nil {
		return n + 4
	}
	n += 2 + commas(len(m.TodoLists))
	for _, l := range m.TodoLists {
		n += todoListLen(l)
	}
	return n
}

// todoListLen is the length of a To Do list's JSON, its tasks included.
func todoListLen(l *TodoListData) int64 {
	if l == nil {
		return 4
	}
	return int64(len(`{"list":,"tasks":}`)) + jsonLen(l.List) + listLen(l.Tasks)
}

func listLen(items []Object) int64 {
	if items == nil {
		return 4
	}
	n := 2 + commas(len(items))
	for _, o := range items {
		n += jsonLen(o)
	}
	return n
}

// commas is how many commas separate n elements.
func commas(n int) int64 {
	if n > 1 {
		return int64(n - 1)
	}
	return 0
}

// jsonLen is the length of v encoded by encoding/json (compact, HTML
// characters escaped, as Save writes it), counted without encoding it: a
// walk of the value that allocates nothing for the JSON types the sandbox
// stores (other types are encoded to be measured).
func jsonLen(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 4
	case bool:
		if x {
			return 4
		}
		return 5
	case string:
		return stringLen(x)
	case float64:
		return floatLen(x)
	case map[string]any:
		if x == nil {
			return 4
		}
		n := 2 + commas(len(x))
		for k, e := range x {
			n += stringLen(k) + 1 + jsonLen(e)
		}
		return n
	case []any:
		if x == nil {
			return 4
		}
		n := 2 + commas(len(x))
		for _, e := range x {
			n += jsonLen(e)
		}
		return n
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return int64(len(b))
}

// sizeDelta is jsonLen(b) - jsonLen(a), computed by walking both and
// measuring only what differs: for b a changed copy of a (cloneValue
// shares the strings), what is unchanged costs a comparison of string
// headers, so the cost follows what changed, not the item's size.
func sizeDelta(a, b any) int64 {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || x == nil || y == nil {
			break
		}
		d := commas(len(y)) - commas(len(x))
		for k, bv := range y {
			if av, had := x[k]; had {
				d += sizeDelta(av, bv)
			} else {
				d += stringLen(k) + 1 + jsonLen(bv)
			}
		}
		for k, av := range x {
			if _, kept := y[k]; !kept {
				d -= stringLen(k) + 1 + jsonLen(av)
			}
		}
		return d
	case []any:
		y, ok := b.([]any)
		if !ok || x == nil || y == nil {
			break
		}
		d := commas(len(y)) - commas(len(x))
		for i := range max(len(x), len(y)) {
			switch {
			case i >= len(x):
				d += jsonLen(y[i])
			case i >= len(y):
				d -= jsonLen(x[i])
			default:
				d += sizeDelta(x[i], y[i])
			}
		}
		return d
	case string:
		if y, ok := b.(string); ok && x == y {
			return 0
		}
	case bool:
		if y, ok := b.(bool); ok && x == y {
			return 0
		}
	case float64:
		if y, ok := b.(float64); ok && x == y {
			return 0
		}
	case nil:
		if b == nil {
			return 0
		}
	}
	return jsonLen(b) - jsonLen(a)
}

// stringLen is the length of s as a JSON string: quotes, and escapes as
// encoding/json writes them (\" \\ \b \f \n \r \t in two bytes, other
// control characters, <, > and &, invalid UTF-8 and U+2028/U+2029 in six).
func stringLen(s string) int64 {
	n := int64(2)
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&':
				n++
			case b == '"' || b == '\\' || b == '\b' || b == '\f' || b == '\n' || b == '\r' || b == '\t':
				n += 2
			default:
				n += 6 // \u00XX
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == '\u2028', r == '\u2029':
			n += 6
		default:
			n += int64(size)
		}
		i += size
	}
	return n
}

// floatLen is the length of f as encoding/json writes a float64.
func floatLen(f float64) int64 {
	var buf [32]byte
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(buf[:0], f, format, -1, 64)
	n := len(b)
	if format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		n-- // e-07 is written e-7
	}
	return int64(n)
}
