package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func batchResponses(t *testing.T, a answer) map[string]map[string]any {
	t.Helper()
	a.wantStatus(t, 200)
	rs, _ := a.json["responses"].([]any)
	out := map[string]map[string]any{}
	for _, r := range rs {
		m := r.(map[string]any)
		out[sv(m["id"])] = m
	}
	return out
}

func TestBatch(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	t.Run("dependsOn and 424", func(t *testing.T) {
		body := `{"requests":[
			{"id":"1","method":"POST","url":"/me/todo/lists","body":{"displayName":"From batch"},"headers":{"Content-Type":"application/json"}},
			{"id":"2","dependsOn":["1"],"method":"GET","url":"me/todo/lists?$filter=displayName%20eq%20'From%20batch'"},
			{"id":"3","method":"GET","url":"/me/events/not-an-id"},
			{"id":"4","dependsOn":["3"],"method":"GET","url":"/me"},
			{"id":"5","dependsOn":["4"],"method":"GET","url":"/me"},
			{"id":"6","method":"GET","url":"/me/events?$top=1","headers":{"Prefer":"outlook.timezone=\"Pacific Standard Time\""}}]}`
		a := do(t, ts, tok, "POST", "/v1.0/$batch", body)
		rs := batchResponses(t, a)
		want := map[string]int{"1": 201, "2": 200, "3": 400, "4": 424, "5": 424, "6": 200}
		for id, st := range want {
			if rs[id] == nil || rs[id]["status"] != float64(st) {
				t.Errorf("response %s: %v, want status %d", id, rs[id], st)
			}
		}
		if vs := rs["2"]["body"].(map[string]any)["value"].([]any); len(vs) != 1 {
			t.Errorf("request 2 did not see request 1's list: %v", vs)
		}
		if h := rs["6"]["headers"].(map[string]any); h["Preference-Applied"] != `outlook.timezone="Pacific Standard Time"` {
			t.Errorf("item headers %v", h)
		}
		// Graph promises no order; the sandbox answers out of order so
		// clients that assume one fail here first.
		var order []string
		for _, r := range a.json["responses"].([]any) {
			order = append(order, sv(r.(map[string]any)["id"]))
		}
		if strings.Join(order, ",") == "1,2,3,4,5,6" {
			t.Errorf("responses in request order")
		}
		ref := referenceJSON(t, "examples/general/batch-response-2021.json", false)
		checkShape(t, ref["responses"].([]any)[2], rs["2"], map[string]string{
			"headers": "the 2021 example omits each response's headers, which Graph sends",
		})
	})
	t.Run("documented dependsOn chains", func(t *testing.T) {
		for _, name := range []string{"batch-dependsOn-2021.json", "batch-dependsOn-current.json"} {
			var req map[string]any
			if err := json.Unmarshal(readReference(t, "examples/general/"+name), &req); err != nil {
				t.Fatal(err)
			}
			for _, r := range req["requests"].([]any) {
				r.(map[string]any)["url"] = "/me/todo/lists" // the docs write "..."
			}
			b, _ := json.Marshal(req)
			rs := batchResponses(t, do(t, ts, tok, "POST", "/v1.0/$batch", string(b)))
			if len(rs) != 4 {
				t.Errorf("%s: %d responses", name, len(rs))
			}
			for id, r := range rs {
				if r["status"] != float64(200) {
					t.Errorf("%s: response %s status %v", name, id, r["status"])
				}
			}
		}
	})
	t.Run("documented request format, unsupported resources", func(t *testing.T) {
		raw := string(readReference(t, "examples/general/batch-request-current.http"))
		_, body, _ := strings.Cut(raw, "\n\n")
		rs := batchResponses(t, do(t, ts, tok, "POST", "/v1.0/$batch", body))
		if len(rs) != 5 {
			t.Fatalf("%d responses", len(rs))
		}
		for id, r := range rs {
			if st := r["status"].(float64); st < 400 {
				t.Errorf("request %s for a resource the sandbox lacks answered %v", id, st)
			}
		}
	})
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf(`{"id":"%d","method":"GET","url":"/me"}`, i)
	}
	for _, tc := range []struct{ name, body, message string }{
		{"more than 20", `{"requests":[` + strings.Join(many, ",") + `]}`, "Number of batch request steps exceeds the maximum value of 20."},
		{"empty", `{"requests":[]}`, ""},
		{"not JSON", `{"requests":`, ""},
		{"duplicate ids", `{"requests":[{"id":"1","method":"GET","url":"/me"},{"id":"1","method":"GET","url":"/me"}]}`, ""},
		{"unknown dependency", `{"requests":[{"id":"1","dependsOn":["9"],"method":"GET","url":"/me"}]}`, ""},
		{"cycle", `{"requests":[{"id":"1","dependsOn":["2"],"method":"GET","url":"/me"},{"id":"2","dependsOn":["1"],"method":"GET","url":"/me"}]}`, ""},
		{"write without Content-Type", `{"requests":[{"id":"1","method":"POST","url":"/me/todo/lists","body":{"displayName":"x"}}]}`, "Write request id : 1 does not contain Content-Type header or body."},
		{"absolute URL", `{"requests":[{"id":"1","method":"GET","url":"https://graph.microsoft.com/v1.0/me"}]}`, ""},
		{"bad method", `{"requests":[{"id":"1","method":"TRACE","url":"/me"}]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := json.Marshal(s.data)
			do(t, ts, tok, "POST", "/v1.0/$batch", tc.body).wantError(t, 400, "BadRequest", tc.message)
			if after, _ := json.Marshal(s.data); string(after) != string(before) {
				t.Error("a rejected batch changed the data")
			}
		})
	}
	t.Run("nested batch", func(t *testing.T) {
		rs := batchResponses(t, do(t, ts, tok, "POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"POST","url":"/$batch","body":{"requests":[]},"headers":{"Content-Type":"application/json"}}]}`))
		if rs["1"]["status"] != float64(400) {
			t.Errorf("nested batch %v", rs["1"])
		}
	})
	t.Run("token required", func(t *testing.T) {
		do(t, ts, "", "POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/me"}]}`).wantError(t, 401, "InvalidAuthenticationToken", "")
		do(t, ts, tok, "GET", "/v1.0/$batch", "").wantError(t, 405, "Request_BadRequest", "")
	})
	t.Run("per-item permission errors", func(t *testing.T) {
		weak := s.Token("User.Read")
		rs := batchResponses(t, do(t, ts, weak, "POST", "/v1.0/$batch", `{"requests":[{"id":"a","method":"GET","url":"/me"},{"id":"b","method":"GET","url":"/me/events"}]}`))
		if rs["a"]["status"] != float64(200) || rs["b"]["status"] != float64(403) {
			t.Errorf("statuses %v %v", rs["a"]["status"], rs["b"]["status"])
		}
	})
}
