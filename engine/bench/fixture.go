// Package bench compares running a flow through the engine with the
// hand-written Go code that does the same work, in the same run, so that
// the engine's overhead is measured as a ratio. See BENCHMARKS.md.
//
// Its one-request flow, loopback Graph and hand-written baseline are
// exported for graph's benchmarks and the whole-process start-up benchmark
// in cmd/runflow/bench.
package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/runflow/runflow/internal/testutil"
	"github.com/tidwall/gjson"
)

// MeTemplate is the one-request flow: GET /me, reading displayName and mail.
const MeTemplate = `id: bench-me
name: Who am I
description: Reads the signed-in user's name and mail address.
scopes: [User.Read]
steps:
  - id: me
    http:
      method: GET
      path: /me
      query:
        $select: displayName,mail
output:
  name: ${ json(steps.me.body, 'displayName') }
  mail: ${ json(steps.me.body, 'mail') }
`

// MeResponse is Graph's documented answer to GET /me (example F4).
const MeResponse = `{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
  "businessPhones": ["+1 425 555 0109"],
  "displayName": "Adele Vance",
  "givenName": "Adele",
  "jobTitle": "Retail Manager",
  "mail": "AdeleV@contoso.com",
  "mobilePhone": "+1 425 555 0109",
  "officeLocation": "18/2111",
  "preferredLanguage": "en-US",
  "surname": "Vance",
  "userPrincipalName": "AdeleV@contoso.com",
  "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd"
}`

// Token is the access token MeHandler accepts.
const Token = "bench-token"

// MeQuery is the query of the flow's request as it is sent, the same from
// the engine, graph.Client and HandWrittenMe.
const MeQuery = "%24select=displayName%2Cmail"

// MeHandler is a loopback Graph that answers GET /v1.0/me?MeQuery with
// MeResponse when the request carries Token, and anything else with 400, so
// that a wrong request fails a benchmark instead of being timed.
func MeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1.0/me" || r.Header.Get("Authorization") != "Bearer "+Token ||
			r.URL.RawQuery != MeQuery {
			http.Error(w, `{"error":{"code":"BadRequest","message":"unexpected request"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("request-id", "0d6ee1f7-5a6c-4a5b-9f7e-6a1f2b3c4d5e")
		_, _ = io.WriteString(w, MeResponse)
	})
}

// HandWrittenMe is what a Go developer writes without runflow to do the
// flow's request: one GET with net/http and Token, the body read within
// Graph's size limit (8 MiB, as graph.Client reads it), two fields read
// with gjson. baseURL is the service root, such as srv.URL+"/v1.0".
func HandWrittenMe(ctx context.Context, hc *http.Client, baseURL string) (name, mail string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/me?"+MeQuery, nil)
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Authorization", "Bearer "+Token)
	resp, err := hc.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("GET /me: %s", resp.Status)
	}
	fields := gjson.GetManyBytes(body, "displayName", "mail")
	return fields[0].String(), fields[1].String(), nil
}

// MeImpl is one way of doing the flow's request, for BenchMe.
type MeImpl struct {
	Name string
	Run  func() (name, mail string, err error)
}

// BenchMe checks that every impl reads MeResponse's name and mail, then
// times each as the sub-benchmark impl=<Name> with testutil.BenchCPU, in
// the same run, so that benchstat -col /impl compares them.
func BenchMe(b *testing.B, impls ...MeImpl) {
	for _, impl := range impls {
		// All must read the same values before they are timed.
		name, mail, err := impl.Run()
		if err != nil || name != "Adele Vance" || mail != "AdeleV@contoso.com" {
			b.Fatalf("%s: got %q, %q, %v", impl.Name, name, mail, err)
		}
		b.Run("impl="+impl.Name, func(b *testing.B) {
			testutil.BenchCPU(b, func() error { _, _, err := impl.Run(); return err })
		})
	}
}
