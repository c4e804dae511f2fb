package main

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/internal/testutil"
)

// The example serves a flow end to end against its in-process sandbox.
func TestChatbotServesAFlow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--addr", "127.0.0.1:0"}, out, errOut) }()
	re := regexp.MustCompile(`chat page at (http://\S+)/`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no URL printed: %s %s", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	post := func(path, body string) map[string]any {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r map[string]any
		json.NewDecoder(resp.Body).Decode(&r)
		return r
	}
	if r := post("/v1/conversations/c/flows", `{"template":"create-todo-list","user":"u"}`); r["status"] != "question" {
		t.Fatalf("start: %v", r)
	}
	r := post("/v1/conversations/c/messages", `{"text":"From the example","user":"u"}`)
	if r["status"] != "done" || r["outputs"].(map[string]any)["name"] != "From the example" {
		t.Fatalf("answer: %v", r)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestChatbotFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--store", "file:/tmp/x.db"}, // no key for a lasting store
		{"--store", "nope", "--state-key-env", "HOME"},
		{"--graph-url", "https://graph.microsoft.com/v1.0"}, // no token
	} {
		t.Setenv("RUNFLOW_TOKEN", "")
		if err := run(context.Background(), args, &testutil.SyncBuffer{}, &testutil.SyncBuffer{}); err == nil {
			t.Errorf("run %v: no error", args)
		}
	}
}
