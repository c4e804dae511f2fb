package sandbox

import (
	"encoding/base64"
	"time"

	"github.com/runflow/runflow/sandbox/internal/random"
)

// Exchange item ids are base64 of a binary structure; ours start with the
// same bytes real ones do (00 03 24 → "AAMk") so they look like Graph's and
// can be told apart from malformed ones.
var idPrefix = []byte{0x00, 0x03, 0x24}

const occurrenceMarker = 0x4f // 4th byte of an occurrence id

var (
	randomBytes  = random.Bytes
	randomString = random.String
	newGUID      = random.GUID
)

// newItemID returns a fresh Graph-looking item id, e.g.
// "AAMkAAxG...Q=" (URL-safe base64, so it can sit in a path unescaped).
func newItemID() string {
	b := append(append([]byte{}, idPrefix...), 0x00)
	b = append(b, randomBytes(22)...)
	return base64.URLEncoding.EncodeToString(b)
}

// decodeID decodes an item id in any base64 flavour Graph hands out.
func decodeID(id string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.StdEncoding, base64.RawURLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(id); err == nil {
			return b, true
		}
	}
	return nil, false
}

// wellFormedID reports whether id could be an Exchange id: base64 of at
// least six bytes starting 00 03 or 01 03 (as real ids do). Anything else
// is answered with ErrorInvalidIdMalformed, as Graph does.
func wellFormedID(id string) bool {
	if len(id) > 1024 {
		return false
	}
	b, ok := decodeID(id)
	return ok && len(b) >= 6 && (b[0] == 0 || b[0] == 1) && b[1] == 3
}

// indexByID returns the index of the item whose "id" is id, or
// ErrorInvalidIdMalformed for an id that is not well formed and
// ErrorItemNotFound for one that is not there.
func indexByID(items []Object, id string) (int, *graphError) {
	if !wellFormedID(id) {
		return -1, errIDMalformed()
	}
	for i, o := range items {
		if getString(o, "id") == id {
			return i, nil
		}
	}
	return -1, errNotFound()
}

// occurrenceID names the occurrence of series master on a (local) day.
func occurrenceID(masterID string, day time.Time) string {
	m, _ := decodeID(masterID)
	b := append(append([]byte{}, idPrefix...), occurrenceMarker)
	b = append(b, byte(len(m)))
	b = append(b, m...)
	b = append(b, day.Format("20060102")...)
	return base64.URLEncoding.EncodeToString(b)
}

// parseOccurrenceID splits an occurrence id into its master id and day.
func parseOccurrenceID(id string) (masterID string, day string, ok bool) {
	b, ok := decodeID(id)
	if !ok || len(b) < 5 || b[3] != occurrenceMarker {
		return "", "", false
	}
	n := int(b[4])
	if len(b) != 5+n+8 {
		return "", "", false
	}
	return base64.URLEncoding.EncodeToString(b[5 : 5+n]), string(b[5+n:]), true
}

// newChangeKey returns a fresh changeKey; @odata.etag is W/"changeKey".
func newChangeKey() string {
	return base64.StdEncoding.EncodeToString(randomBytes(16))
}

func etagOf(changeKey string) string { return `W/"` + changeKey + `"` }
