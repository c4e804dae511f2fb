package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/atomicfile"
)

// dataVersion is the version of the saved-state format written by Save.
const dataVersion = 1

// Data is everything the sandbox serves: the directory and, per user, a
// mailbox. Entities are kept as Graph's own JSON objects (Object), so what
// is saved is what Graph would answer.
type Data struct {
	// Version is the format version (set by Save; Load rejects newer ones).
	Version int `json:"version"`
	// TokenKey signs the tokens MintToken makes (generated when empty). It
	// is a sandbox-only secret: it grants access to this sandbox's data
	// and nothing else.
	TokenKey string `json:"tokenKey"`
	// Users are the directory's users with their mailboxes; the first one
	// is the demo ("signed-in") user of Server.Token.
	Users []*Mailbox `json:"users"`
	// Seeded is when DemoData made this data (RFC 3339); empty for data
	// that is not the demo's.
	Seeded string `json:"seeded,omitempty"`
	// Changed is set by the first successful write through Graph: demo data
	// nobody changed can be moved to the current week (RefreshDemo), changed
	// data is kept as it is.
	Changed bool `json:"changed,omitempty"`
}

// User is a directory entry, shaped like Graph's user resource (the
// properties /me returns by default, plus postalCode for $select).
type User struct {
	// ID is the object id, a GUID.
	ID string `json:"id"`
	// UserPrincipalName is the sign-in name, e.g. AdeleV@contoso.onmicrosoft.com.
	UserPrincipalName string `json:"userPrincipalName"`
	// DisplayName, GivenName and Surname are the user's names.
	DisplayName string `json:"displayName"`
	GivenName   string `json:"givenName,omitempty"`
	Surname     string `json:"surname,omitempty"`
	// Mail is the SMTP address mail is sent from and delivered to.
	Mail string `json:"mail,omitempty"`
	// JobTitle, MobilePhone, OfficeLocation, PreferredLanguage, PostalCode
	// and BusinessPhones are profile properties, returned as Graph does
	// (null when empty).
	JobTitle          string   `json:"jobTitle,omitempty"`
	MobilePhone       string   `json:"mobilePhone,omitempty"`
	OfficeLocation    string   `json:"officeLocation,omitempty"`
	PreferredLanguage string   `json:"preferredLanguage,omitempty"`
	PostalCode        string   `json:"postalCode,omitempty"`
	BusinessPhones    []string `json:"businessPhones,omitempty"`
	// Password is what the identity platform's sign-in page accepts for
	// this user (sandbox only; never a real secret).
	Password string `json:"password,omitempty"`
}

// Object is one Graph entity as JSON (decoded with encoding/json).
type Object = map[string]any

// Mailbox is one user with their Exchange and To Do data.
type Mailbox struct {
	// User is the mailbox's owner.
	User User `json:"user"`
	// MailboxSettings is Graph's mailboxSettings object (timeZone, ...).
	MailboxSettings Object `json:"mailboxSettings"`
	// Events are single events and series masters, as Graph returns them;
	// occurrences are computed. A master also keeps its exceptions (the
	// occurrences answered on their own) under "exceptionOccurrences",
	// which Graph shows only with $expand and the sandbox never renders.
	Events []Object `json:"events"`
	// TodoLists are the To Do lists with their tasks.
	TodoLists []*TodoListData `json:"todoLists"`
	// Messages hold every folder's messages; each one's parentFolderId is
	// FolderID(user id, "inbox") or another well-known folder's id.
	Messages []Object `json:"messages"`

	// used is the length of the mailbox's JSON, kept up to date by every
	// write (quota.go); guarded by the server's lock.
	used int64
}

// TodoListData is a To Do list with its tasks.
type TodoListData struct {
	// List is the todoTaskList object.
	List Object `json:"list"`
	// Tasks are its todoTask objects.
	Tasks []Object `json:"tasks"`
}

// normalize fills in nil collections so handlers need not check (and
// lists are written [] rather than null, which the quota's tallies count
// on), then measures each mailbox.
func (d *Data) normalize() {
	if d.TokenKey == "" {
		d.TokenKey = randomString(32)
	}
	for _, m := range d.Users {
		if m.MailboxSettings == nil {
			m.MailboxSettings = defaultMailboxSettings("UTC")
		}
		if m.Events == nil {
			m.Events = []Object{}
		}
		if m.Messages == nil {
			m.Messages = []Object{}
		}
		if m.TodoLists == nil {
			m.TodoLists = []*TodoListData{}
		}
		lists := m.TodoLists[:0]
		for _, l := range m.TodoLists {
			if l == nil {
				continue
			}
			if l.List == nil {
				l.List = Object{}
			}
			if l.Tasks == nil {
				l.Tasks = []Object{}
			}
			lists = append(lists, l)
		}
		m.TodoLists = lists
	}
	d.measure()
}

// mailbox finds a user's mailbox by id or userPrincipalName.
func (d *Data) mailbox(idOrUPN string) *Mailbox {
	for _, m := range d.Users {
		if strings.EqualFold(m.User.ID, idOrUPN) || strings.EqualFold(m.User.UserPrincipalName, idOrUPN) {
			return m
		}
	}
	return nil
}

// ErrDataTooLarge is the error of Save and SaveFile (wrapped, with the
// limit) for data larger than a sandbox reads back.
var ErrDataTooLarge = errors.New("sandbox: the data is larger than a sandbox reads back")

// Save writes the sandbox's current data as JSON (compact, one line).
// Tokens are not part of it: a restarted sandbox forgets every token it
// issued. Data that Load would refuse for its size (more than 256 MiB) is
// not written: Save returns ErrDataTooLarge and w receives nothing. The
// quotas keep the data far below that; only data loaded or passed in
// Options.Data that large meets it.
func (s *Server) Save(w io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.Version = dataVersion
	// The encoder writes the whole document in one Write, so the limit
	// refuses it before any byte reaches w.
	return json.NewEncoder(&limitWriter{w: w, limit: s.saveLimit}).Encode(s.data)
}

// limitWriter refuses a write that would take what it passed on over
// limit.
type limitWriter struct {
	w      io.Writer
	n      int64
	limit  int64
	failed bool
}

func (lw *limitWriter) Write(p []byte) (int, error) {
	if lw.failed || lw.n+int64(len(p)) > lw.limit {
		lw.failed = true
		return 0, fmt.Errorf("%w (%d MiB), so it was not written; delete items (large attachments first) to make room", ErrDataTooLarge, lw.limit>>20)
	}
	n, err := lw.w.Write(p)
	lw.n += int64(n)
	return n, err
}

// Load replaces the sandbox's data with JSON written by Save. On error the
// data is unchanged.
func (s *Server) Load(r io.Reader) error {
	d, err := ReadData(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.data = d
	s.mu.Unlock()
	return nil
}

// ReadData decodes and checks JSON written by Save.
func ReadData(r io.Reader) (*Data, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxDataBytes))
	var d Data
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("sandbox: reading data: %w", err)
	}
	if d.Version > dataVersion {
		return nil, fmt.Errorf("sandbox: data format version %d is newer than this runflow understands (%d)", d.Version, dataVersion)
	}
	if len(d.Users) == 0 {
		return nil, fmt.Errorf("sandbox: data has no users")
	}
	for i, m := range d.Users {
		if m == nil || m.User.ID == "" || m.User.UserPrincipalName == "" {
			return nil, fmt.Errorf("sandbox: data: user %d needs an id and a userPrincipalName", i)
		}
	}
	d.normalize()
	return &d, nil
}

// maxDataBytes bounds a saved data file: a mailbox of a few thousand
// items, and file attachments, kept base64 in their messages (a 35 MB
// attachment sent to a sandbox colleague is two copies of about 47 MB).
// The quotas (quota.go) keep what the mailboxes hold under three quarters
// of it, and Save refuses to write more.
const maxDataBytes = 256 << 20

// SaveFile writes the data to path atomically (a temporary file renamed
// over it), creating the directory if needed, readable only by the owner.
func (s *Server) SaveFile(path string) error {
	var saveErr error
	err := atomicfile.WriteFunc(path, atomicfile.Options{Pattern: ".sandbox-*.json", DirPerm: 0o700},
		func(w io.Writer) error {
			saveErr = s.Save(w)
			return saveErr
		})
	if saveErr != nil {
		return saveErr // Save's error, as it was before atomicfile
	}
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// LoadFile reads data written by SaveFile.
func (s *Server) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer f.Close()
	if err := s.Load(f); err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	return nil
}

// DemoStatus reports when the demo data was seeded and whether a Graph
// write has changed it since; ok is false for data that is not the demo's.
func (s *Server) DemoStatus() (seeded time.Time, changed, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := time.Parse(time.RFC3339Nano, s.data.Seeded)
	if s.data.Seeded == "" || err != nil {
		return time.Time{}, false, false
	}
	return t, s.data.Changed, true
}

// RefreshDemo re-seeds demo data that no write has changed when it was
// seeded on an earlier day (in the demo mailbox's zone) than the clock's
// today, so that its "this week" is the current week. Ids stay the same
// (they derive from names); the token key is kept. It reports whether it
// replaced the data.
func (s *Server) RefreshDemo() bool {
	seeded, changed, ok := s.DemoStatus()
	if !ok || changed {
		return false
	}
	z, _ := resolveZone(DemoTimeZone)
	now := s.now()
	if seeded.In(z.loc).Format("2006-01-02") == now.In(z.loc).Format("2006-01-02") {
		return false
	}
	s.Reset()
	return true
}

// Reset replaces all data with a fresh demo mailbox seeded at the current
// time of the server's clock.
func (s *Server) Reset() {
	d := DemoData(s.now())
	d.normalize()
	s.mu.Lock()
	d.TokenKey = s.data.TokenKey // tokens minted before the reset stay valid
	s.data = d
	s.mu.Unlock()
}
