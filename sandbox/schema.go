package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
)

// A small type system for request bodies, so every write is checked the
// way Graph's OData reader checks it before anything is stored: unknown
// properties, wrong JSON types and unknown enum members are rejected with
// RequestBodyRead; enum members are matched case-insensitively (Graph
// accepts "HTML" and "Required") and stored in their canonical spelling.

type fieldType int

const (
	tString fieldType = iota
	tBool
	tInt
	tNumber
	tEnum
	tObject
	tArray
	tAny
)

type field struct {
	typ      fieldType
	enumName string   // e.g. "bodyType"
	enum     []string // canonical members
	elem     *field   // tArray
	obj      *objType // tObject
	readOnly bool     // accepted and ignored on writes
}

type objType struct {
	name   string
	fields map[string]*field
}

func str() *field              { return &field{typ: tString} }
func boolean() *field          { return &field{typ: tBool} }
func integer() *field          { return &field{typ: tInt} }
func number() *field           { return &field{typ: tNumber} }
func anyValue() *field         { return &field{typ: tAny} }
func arrayOf(f *field) *field  { return &field{typ: tArray, elem: f} }
func object(t *objType) *field { return &field{typ: tObject, obj: t} }
func enum(name string, members ...string) *field {
	return &field{typ: tEnum, enumName: name, enum: members}
}
func readOnly(f *field) *field { g := *f; g.readOnly = true; return &g }

func newObjType(name string, fields map[string]*field) *objType {
	return &objType{name: name, fields: fields}
}

// decodeObject reads the request body as a JSON object and checks it
// against t, answering as Graph does for a missing, malformed or invalid body.
func (c *call) decodeObject(t *objType) (Object, *graphError) {
	in, err := decodeBody(c.body)
	if err != nil {
		return nil, err
	}
	return checkObject(t, in, "")
}

// decodeBody parses a JSON object body, with Graph's errors for an empty
// or unreadable one.
func decodeBody(body []byte) (Object, *graphError) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, newError(400, "BadRequest", msgEmptyPayload)
	}
	var o Object
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(&o); err != nil || o == nil || dec.More() {
		return nil, errBadJSON()
	}
	return o, nil
}

// checkObject validates o against t and returns a normalized copy without
// read-only properties. path names o in messages ("" at the top).
func checkObject(t *objType, o Object, path string) (Object, *graphError) {
	out := Object{}
	for k, v := range o {
		if k == "@odata.type" {
			if _, ok := v.(string); !ok {
				return nil, errBodyRead("@odata.type must be a string (in '%s').", joinPath(path, k))
			}
			out[k] = v // callers that care (attachments) read it
			continue
		}
		if strings.HasPrefix(k, "@") {
			continue // other annotations
		}
		f, name := lookupField(t, k)
		if f == nil {
			return nil, errBodyRead("The property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", k, t.name)
		}
		if f.readOnly {
			continue
		}
		nv, err := checkValue(f, v, joinPath(path, name))
		if err != nil {
			return nil, err
		}
		out[name] = nv
	}
	return out, nil
}

func lookupField(t *objType, k string) (*field, string) {
	if f, ok := t.fields[k]; ok {
		return f, k
	}
	for name, f := range t.fields {
		if strings.EqualFold(name, k) {
			return f, name
		}
	}
	return nil, ""
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func checkValue(f *field, v any, path string) (any, *graphError) {
	if v == nil {
		return nil, nil // Graph accepts null for nullable properties
	}
	wrong := func(want string) *graphError {
		return errBodyRead("Cannot convert the literal '%s' to the expected type '%s' (property '%s').", literal(v), want, path)
	}
	switch f.typ {
	case tAny:
		return v, nil
	case tString:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, wrong("Edm.String")
	case tBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, wrong("Edm.Boolean")
	case tInt:
		n, ok := v.(float64)
		if !ok || n != math.Trunc(n) || math.Abs(n) > math.MaxInt32 {
			return nil, wrong("Edm.Int32")
		}
		return n, nil
	case tNumber:
		if n, ok := v.(float64); ok {
			return n, nil
		}
		return nil, wrong("Edm.Double")
	case tEnum:
		s, ok := v.(string)
		if !ok {
			return nil, wrong("microsoft.graph." + f.enumName)
		}
		for _, m := range f.enum {
			if strings.EqualFold(m, strings.TrimSpace(s)) {
				return m, nil
			}
		}
		return nil, errBodyRead("Requested value '%s' was not found (property '%s' of type 'microsoft.graph.%s' accepts %s).", s, path, f.enumName, strings.Join(f.enum, ", "))
	case tObject:
		o, ok := v.(map[string]any)
		if !ok {
			return nil, errBodyRead("A value of type '%s' was found where an object of type 'microsoft.graph.%s' was expected (property '%s').", jsonKind(v), f.obj.name, path)
		}
		return checkObject(f.obj, o, path)
	case tArray:
		a, ok := v.([]any)
		if !ok {
			return nil, errBodyRead("A value of type '%s' was found where a collection was expected (property '%s').", jsonKind(v), path)
		}
		out := make([]any, 0, len(a))
		for i, e := range a {
			ne, err := checkValue(f.elem, e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, ne)
		}
		return out, nil
	}
	return v, nil
}

func literal(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		return "{...}"
	case []any:
		return "[...]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// validationFailed is Exchange's answer to a body that parses but breaks a
// rule (end before start); details say which rule, for the developer.
func validationFailed(target, detail string) *graphError {
	e := newError(400, "ErrorPropertyValidationFailure", "At least one property failed validation.")
	e.details = []Object{{"code": "ErrorPropertyValidationFailure", "target": target, "message": detail}}
	return e
}

// Graph's shared complex types.
var (
	emailAddressType = lazyType{build: func() *objType {
		return newObjType("emailAddress", map[string]*field{"address": str(), "name": str()})
	}}
	recipientType = lazyType{build: func() *objType {
		return newObjType("recipient", map[string]*field{"emailAddress": object(emailAddressType.get())})
	}}
	itemBodyType = lazyType{build: func() *objType {
		return newObjType("itemBody", map[string]*field{
			"contentType": enum("bodyType", "text", "html"),
			"content":     str(),
		})
	}}
	dateTimeTimeZoneType = lazyType{build: func() *objType {
		return newObjType("dateTimeTimeZone", map[string]*field{"dateTime": str(), "timeZone": str()})
	}}
	physicalAddressType = lazyType{build: func() *objType {
		return newObjType("physicalAddress", map[string]*field{
			"street": str(), "city": str(), "state": str(), "countryOrRegion": str(), "postalCode": str(),
		})
	}}
	coordinatesType = lazyType{build: func() *objType {
		return newObjType("outlookGeoCoordinates", map[string]*field{
			"latitude": number(), "longitude": number(), "altitude": number(), "accuracy": number(), "altitudeAccuracy": number(),
		})
	}}
	locationType = lazyType{build: func() *objType {
		return newObjType("location", map[string]*field{
			"displayName":          str(),
			"locationEmailAddress": str(),
			"locationUri":          str(),
			"uniqueId":             str(),
			"uniqueIdType":         enum("locationUniqueIdType", "unknown", "locationStore", "directory", "private", "bing"),
			"locationType":         enum("locationType", "default", "conferenceRoom", "homeAddress", "businessAddress", "geoCoordinates", "streetAddress", "hotel", "restaurant", "localBusiness", "postalAddress"),
			"address":              object(physicalAddressType.get()),
			"coordinates":          object(coordinatesType.get()),
		})
	}}
	responseStatusType = lazyType{build: func() *objType {
		return newObjType("responseStatus", map[string]*field{
			"response": enum("responseType", "none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"),
			"time":     str(),
		})
	}}
	attendeeType = lazyType{build: func() *objType {
		return newObjType("attendee", map[string]*field{
			"emailAddress":    object(emailAddressType.get()),
			"type":            enum("attendeeType", "required", "optional", "resource"),
			"status":          object(responseStatusType.get()),
			"proposedNewTime": anyValue(),
		})
	}}
	daysOfWeek        = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	recurrencePattern = lazyType{build: func() *objType {
		return newObjType("recurrencePattern", map[string]*field{
			"type":           enum("recurrencePatternType", "daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"),
			"interval":       integer(),
			"month":          integer(),
			"dayOfMonth":     integer(),
			"daysOfWeek":     arrayOf(enum("dayOfWeek", daysOfWeek...)),
			"firstDayOfWeek": enum("dayOfWeek", daysOfWeek...),
			"index":          enum("weekIndex", "first", "second", "third", "fourth", "last"),
		})
	}}
	recurrenceRange = lazyType{build: func() *objType {
		return newObjType("recurrenceRange", map[string]*field{
			"type":                enum("recurrenceRangeType", "endDate", "noEnd", "numbered"),
			"startDate":           str(),
			"endDate":             str(),
			"recurrenceTimeZone":  str(),
			"numberOfOccurrences": integer(),
		})
	}}
	patternedRecurrenceType = lazyType{build: func() *objType {
		return newObjType("patternedRecurrence", map[string]*field{
			"pattern": object(recurrencePattern.get()),
			"range":   object(recurrenceRange.get()),
		})
	}}
	importanceEnum = enum("importance", "low", "normal", "high")
)

// lazyType is an object type built on first use. The sandbox's request
// schemas are package variables, and built at init they cost every
// process that links the sandbox (every runflow command) about 150,000
// instructions and 350 allocations, whether it serves a request or not.
type lazyType struct {
	once  sync.Once
	build func() *objType
	t     *objType
}

// get returns the type, building it the first time.
func (l *lazyType) get() *objType {
	l.once.Do(func() { l.t = l.build() })
	return l.t
}
