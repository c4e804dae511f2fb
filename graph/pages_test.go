package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"
)

// pagedServer serves /v1.0/me/events in pages of `per` items out of
// `total`, with nextLinks whose query is deliberately not in canonical
// order, and records every raw query it received.
type pagedServer struct {
	*httptest.Server
	mu      sync.Mutex
	queries []string
	// nextHost, when set, replaces the host in nextLinks.
	nextHost string
	// self makes every nextLink point at the page itself.
	self bool
}

func newPagedServer(t *testing.T, total, per int) *pagedServer {
	p := &pagedServer{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.queries = append(p.queries, r.URL.RawQuery)
		p.mu.Unlock()
		skip := 0
		fmt.Sscan(r.URL.Query().Get("$skip"), &skip)
		var items []string
		for i := skip; i < min(skip+per, total); i++ {
			items = append(items, fmt.Sprintf(`{"id":"e%d","subject":"Event %d"}`, i, i))
		}
		body := `{"@odata.context":"x","value":[` + strings.Join(items, ",") + `]`
		if skip+per < total {
			host := "http://" + r.Host
			if p.nextHost != "" {
				host = p.nextHost
			}
			next := fmt.Sprintf("%s/v1.0/me/events?%%24top=%d&custom=a%%20b&%%24skip=%d", host, per, skip+per)
			if p.self {
				next = "http://" + r.Host + r.URL.RequestURI()
			}
			body += `,"@odata.nextLink":"` + next + `"`
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Page", fmt.Sprint(skip/per+1))
		w.Write([]byte(body + "}"))
	}))
	t.Cleanup(p.Close)
	return p
}

func ids(t *testing.T, items []byte) []string {
	t.Helper()
	var out []struct{ ID string }
	if err := json.Unmarshal(items, &out); err != nil {
		t.Fatalf("Items is not a JSON array: %v: %s", err, items)
	}
	var s []string
	for _, o := range out {
		s = append(s, o.ID)
	}
	return s
}

func TestPagesFollowsNextLinkUnchanged(t *testing.T) {
	srv := newPagedServer(t, 7, 3)
	c, _ := newTestClient(t, srv.URL, nil)
	var seen []int
	res, err := c.Pages(context.Background(), &Request{Path: "/me/events", Query: map[string][]string{"$top": {"3"}}}, PageOptions{
		OnPage: func(p *Response, items []gjson.Result) error { seen = append(seen, len(items)); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids(t, res.Items), ","); got != "e0,e1,e2,e3,e4,e5,e6" || res.Count != 7 || res.Pages != 3 || res.Truncated {
		t.Errorf("result = %s count %d pages %d truncated %v", got, res.Count, res.Pages, res.Truncated)
	}
	if res.Last == nil || res.Last.Header.Get("X-Page") != "3" || res.Last.Status != 200 {
		t.Errorf("Last should be page 3's answer, got %+v", res.Last)
	}
	want := []string{"%24top=3", "%24top=3&custom=a%20b&%24skip=3", "%24top=3&custom=a%20b&%24skip=6"}
	if fmt.Sprint(srv.queries) != fmt.Sprint(want) {
		t.Errorf("queries = %q; want the nextLinks unchanged: %q", srv.queries, want)
	}
	if fmt.Sprint(seen) != "[3 3 1]" {
		t.Errorf("OnPage saw %v", seen)
	}
}

func TestPagesCaps(t *testing.T) {
	tests := []struct {
		name        string
		total, per  int
		opt         PageOptions
		wantIDs     string
		wantPages   int
		wantBy      string
		wantLimit   string // *LimitError.Limit, "" for none
		wantErrText string
	}{
		{name: "MaxItems cuts inside a page", total: 7, per: 3, opt: PageOptions{MaxItems: 4}, wantIDs: "e0,e1,e2,e3", wantPages: 2, wantBy: "MaxItems"},
		{name: "MaxItems at a page end with more pages", total: 7, per: 3, opt: PageOptions{MaxItems: 3}, wantIDs: "e0,e1,e2", wantPages: 1, wantBy: "MaxItems"},
		{name: "MaxItems equal to everything is not truncation", total: 6, per: 3, opt: PageOptions{MaxItems: 6}, wantIDs: "e0,e1,e2,e3,e4,e5", wantPages: 2},
		{name: "MaxPages", total: 10, per: 3, opt: PageOptions{MaxPages: 2}, wantIDs: "e0,e1,e2,e3,e4,e5", wantPages: 2, wantBy: "MaxPages"},
		{name: "MaxPages as an error", total: 10, per: 3, opt: PageOptions{MaxPages: 2, ErrorWhenTruncated: true}, wantIDs: "e0,e1,e2,e3,e4,e5", wantPages: 2, wantBy: "MaxPages",
			wantLimit: "PageOptions.MaxPages", wantErrText: "the collection at GET http://"},
		{name: "MaxItems as an error", total: 10, per: 3, opt: PageOptions{MaxItems: 5, ErrorWhenTruncated: true}, wantIDs: "e0,e1,e2,e3,e4", wantPages: 2, wantBy: "MaxItems",
			wantLimit: "PageOptions.MaxItems", wantErrText: "exceeds the limit PageOptions.MaxItems = 5"},
		{name: "MaxItemsBytes", total: 10, per: 3, opt: PageOptions{MaxItemsBytes: 100}, wantIDs: "e0,e1,e2", wantPages: 2,
			wantLimit: "PageOptions.MaxItemsBytes", wantErrText: "exceeds the limit PageOptions.MaxItemsBytes = 100"},
		{name: "empty collection", total: 0, per: 3, wantIDs: "", wantPages: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newPagedServer(t, tt.total, tt.per)
			c, _ := newTestClient(t, srv.URL, nil)
			res, err := c.Pages(context.Background(), &Request{Path: "/me/events"}, tt.opt)
			if got := strings.Join(ids(t, res.Items), ","); got != tt.wantIDs || res.Count != strings.Count(got, "e") || res.Pages != tt.wantPages || res.TruncatedBy != tt.wantBy || res.Truncated != (tt.wantBy != "") {
				t.Errorf("items %q count %d pages %d truncated %v by %q", got, res.Count, res.Pages, res.Truncated, res.TruncatedBy)
			}
			var le *LimitError
			if tt.wantLimit == "" {
				if err != nil {
					t.Fatalf("Pages: %v", err)
				}
				return
			}
			if !errors.As(err, &le) || le.Limit != tt.wantLimit || !strings.Contains(err.Error(), tt.wantErrText) {
				t.Errorf("err = %v; want a *LimitError for %s saying %q", err, tt.wantLimit, tt.wantErrText)
			}
		})
	}
}

func TestPagesRefusesNextLinkToAnotherHost(t *testing.T) {
	other := newScripted(t, reply{status: 200, body: `{"value":[{"id":"stolen"}]}`})
	srv := newPagedServer(t, 6, 3)
	srv.nextHost = other.URL
	c, _ := newTestClient(t, srv.URL, nil)
	res, err := c.Pages(context.Background(), &Request{Path: "/me/events"}, PageOptions{})
	var hna *HostNotAllowedError
	if !errors.As(err, &hna) || !strings.Contains(err.Error(), "following the @odata.nextLink of page 1") {
		t.Fatalf("err = %v; want *HostNotAllowedError naming the nextLink", err)
	}
	if other.hits.Load() != 0 {
		t.Error("the other host was contacted")
	}
	if res.Count != 3 || res.Pages != 1 {
		t.Errorf("what was collected before the refusal should be kept: %+v", res)
	}
}

func TestPagesBadCollections(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"id":"not a collection"}`, `page 1 is not a collection (no "value" array)`},
		{`{"value":{"id":"x"}}`, `page 1 is not a collection`},
		{`{"value":[],"@odata.nextLink":5}`, "@odata.nextLink that is not a string"},
		{`{"value":[],"@odata.nextLink":"/v1.0/me/events?$skip=10"}`, "@odata.nextLink is not an absolute URL"},
	}
	for _, tt := range tests {
		srv := newScripted(t, reply{status: 200, body: tt.body})
		c, _ := newTestClient(t, srv.URL, nil)
		_, err := c.Pages(context.Background(), &Request{Path: "/me/events"}, PageOptions{})
		var re *ResponseError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("body %s: err = %v; want a *ResponseError saying %q", tt.body, err, tt.want)
		}
	}

	srv := newPagedServer(t, 6, 3)
	srv.self = true
	c, _ := newTestClient(t, srv.URL, nil)
	if _, err := c.Pages(context.Background(), &Request{Path: srv.URL + "/v1.0/me/events"}, PageOptions{}); err == nil || !strings.Contains(err.Error(), "points at the page itself") {
		t.Errorf("self-referencing nextLink: %v", err)
	}
	if res, err := c.Pages(context.Background(), &Request{Method: "POST", Path: "/me/events"}, PageOptions{}); err == nil || string(res.Items) != "[]" {
		t.Errorf("paging a POST: %v, %+v; want an error and an empty result", err, res)
	}
	if _, err := c.Pages(context.Background(), &Request{Path: "/me/events"}, PageOptions{MaxPages: -1}); err == nil {
		t.Error("a negative limit was accepted")
	}
}

func TestPagesReturnsGraphErrorsOfLaterPages(t *testing.T) {
	srv := newScripted(t,
		reply{status: 200, body: `{"value":[{"id":"a"}],"@odata.nextLink":"PLACEHOLDER"}`},
		reply{status: 404, body: fixture(t, "error-ErrorItemNotFound-observed.json")})
	srv.replies[0].body = strings.Replace(srv.replies[0].body, "PLACEHOLDER", srv.URL+"/v1.0/me/events?$skip=1", 1)
	c, _ := newTestClient(t, srv.URL, nil)
	res, err := c.Pages(context.Background(), &Request{Path: "/me/events"}, PageOptions{})
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.Code != "ErrorItemNotFound" || !strings.Contains(err.Error(), "fetching page 2") {
		t.Fatalf("err = %v; want page 2's *Error", err)
	}
	if res.Last == nil || res.Last.Status != 404 || res.Count != 1 {
		t.Errorf("result %+v; want page 1's item and the 404 as Last", res)
	}
}
