package graph

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tidwall/gjson"
)

// Paging defaults for PageOptions fields left zero.
const (
	DefaultMaxPages      = 100
	DefaultMaxItems      = 10000
	DefaultMaxItemsBytes = 32 << 20
)

// PageOptions bounds [Client.Pages]. Zero values mean the defaults.
type PageOptions struct {
	// MaxPages is the most pages fetched (default DefaultMaxPages).
	MaxPages int
	// MaxItems is the most items collected (default DefaultMaxItems).
	MaxItems int
	// MaxItemsBytes caps the size of the collected items (default
	// DefaultMaxItemsBytes). Going over it is always a *LimitError: it
	// protects memory, it is not a way to ask for fewer items.
	MaxItemsBytes int
	// ErrorWhenTruncated turns reaching MaxPages or MaxItems while more
	// items exist into a *LimitError. By default the result is cut there
	// and marked Truncated.
	ErrorWhenTruncated bool
	// OnPage, when set, is called with each page and the items taken from
	// it (after MaxItems cuts); an error from it stops paging and is
	// returned as is.
	OnPage func(page *Response, items []gjson.Result) error
}

// PageResult is a collection read across pages.
type PageResult struct {
	// Items is a JSON array holding the `value` elements of every page, in
	// order, as Graph sent them.
	Items []byte
	// Count is the number of elements in Items.
	Count int
	// Pages is the number of pages fetched.
	Pages int
	// Truncated is true when more items existed than were collected;
	// TruncatedBy names the limit that stopped paging: "MaxItems" or
	// "MaxPages".
	Truncated   bool
	TruncatedBy string
	// Last is the last answer received (its status and headers are the
	// step's); on error it is the failing answer, or nil.
	Last *Response
}

// Pages sends req (a GET) and follows @odata.nextLink, collecting the items
// of each page's `value` array. A nextLink must be an absolute URL; it is
// followed unchanged (it holds the original query), and only to an allowed
// host over an allowed scheme; otherwise paging fails with a
// *HostNotAllowedError before any token is sent there. A page that is not a collection is a *ResponseError. Each page
// is a logical request of its own, retried as Do retries.
//
// Reaching MaxItems or MaxPages while more items exist is not an error
// unless opt.ErrorWhenTruncated is set: the result is marked Truncated.
// On error Pages returns the error together with what was collected so far:
// the result is never nil and Items is always a valid JSON array.
func (c *Client) Pages(ctx context.Context, req *Request, opt PageOptions) (*PageResult, error) {
	empty := &PageResult{Items: []byte("[]")}
	if req == nil {
		return empty, fmt.Errorf("graph: nil Request")
	}
	if req.Method != "" && req.Method != http.MethodGet {
		return empty, fmt.Errorf("graph: paging needs a GET request, not %s", clean(req.Method, 20))
	}
	if opt.MaxPages < 0 || opt.MaxItems < 0 || opt.MaxItemsBytes < 0 {
		return empty, fmt.Errorf("graph: PageOptions limits may not be negative")
	}
	setDefault(&opt.MaxPages, DefaultMaxPages)
	setDefault(&opt.MaxItems, DefaultMaxItems)
	setDefault(&opt.MaxItemsBytes, DefaultMaxItemsBytes)

	res := &PageResult{}
	var buf bytes.Buffer
	buf.WriteByte('[')
	finish := func() *PageResult {
		buf.WriteByte(']')
		res.Items = buf.Bytes()
		return res
	}
	page := *req
	page.Method = http.MethodGet
	page.AllowNonJSON = false
	what := ""
	for {
		resp, err := c.Do(ctx, &page)
		res.Last = resp
		if err != nil {
			if res.Pages > 0 {
				err = fmt.Errorf("graph: fetching page %d: %w", res.Pages+1, err)
			}
			return finish(), err
		}
		res.Pages++
		if what == "" {
			what = fmt.Sprintf("the collection at GET %s", c.pageURL(&page))
		}
		value := gjson.GetBytes(resp.Body, "value")
		if !value.IsArray() {
			return finish(), &ResponseError{Method: http.MethodGet, URL: c.pageURL(&page), Status: resp.Status, ContentType: mediaType(resp.Header), Response: resp,
				Reason: fmt.Sprintf("page %d is not a collection (no \"value\" array)", res.Pages)}
		}
		next := gjson.GetBytes(resp.Body, `@odata\.nextLink`)
		if next.Exists() && next.Type != gjson.String {
			return finish(), &ResponseError{Method: http.MethodGet, URL: c.pageURL(&page), Status: resp.Status, ContentType: mediaType(resp.Header), Response: resp,
				Reason: fmt.Sprintf("page %d has an @odata.nextLink that is not a string", res.Pages)}
		}
		elems := value.Array()
		taken := elems
		if room := opt.MaxItems - res.Count; len(elems) > room {
			taken = elems[:room]
		}
		for _, it := range taken {
			if buf.Len()+len(it.Raw)+2 > opt.MaxItemsBytes {
				return finish(), &LimitError{Limit: "PageOptions.MaxItemsBytes", Value: opt.MaxItemsBytes, What: "the items of " + what}
			}
			if res.Count > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(it.Raw)
			res.Count++
		}
		if opt.OnPage != nil {
			if err := opt.OnPage(resp, taken); err != nil {
				return finish(), err
			}
		}
		more := next.String() != ""
		switch {
		case len(taken) < len(elems) || (res.Count >= opt.MaxItems && more):
			return c.truncated(finish(), opt, "MaxItems", opt.MaxItems, what)
		case !more:
			return finish(), nil
		case res.Pages >= opt.MaxPages:
			return c.truncated(finish(), opt, "MaxPages", opt.MaxPages, what)
		case next.String() == page.Path:
			return finish(), &ResponseError{Method: http.MethodGet, URL: c.pageURL(&page), Status: resp.Status, ContentType: mediaType(resp.Header), Response: resp,
				Reason: fmt.Sprintf("page %d's @odata.nextLink points at the page itself", res.Pages)}
		}
		if u, err := url.Parse(next.String()); err != nil || !u.IsAbs() {
			return finish(), &ResponseError{Method: http.MethodGet, URL: c.pageURL(&page), Status: resp.Status, ContentType: mediaType(resp.Header), Response: resp,
				Reason: fmt.Sprintf("page %d's @odata.nextLink is not an absolute URL", res.Pages)}
		}
		page.Path = next.String()
		page.Query = nil
		if _, err := c.ResolveURL(page.Path, nil); err != nil {
			return finish(), fmt.Errorf("graph: following the @odata.nextLink of page %d of %s: %w", res.Pages, what, err)
		}
	}
}

func (c *Client) truncated(res *PageResult, opt PageOptions, limit string, value int, what string) (*PageResult, error) {
	res.Truncated, res.TruncatedBy = true, limit
	if opt.ErrorWhenTruncated {
		return res, &LimitError{Limit: "PageOptions." + limit, Value: value, What: what}
	}
	return res, nil
}

// redacted names the URL of a page for messages.
func (c *Client) pageURL(req *Request) string {
	u, err := c.ResolveURL(req.Path, req.Query)
	if err != nil {
		return "(unresolvable URL)"
	}
	return RedactURL(u)
}
