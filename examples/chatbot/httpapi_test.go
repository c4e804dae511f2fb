package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMessagesEndpointRefusesBadRequests(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	long := strings.Repeat("é", maxTextRunes+1)
	for _, tc := range []struct {
		name, method, contentType, body string
		status                          int
		errContains                     string
	}{
		{"GET", http.MethodGet, "", "", 405, "use POST"},
		{"form body", http.MethodPost, "application/x-www-form-urlencoded", "text=hi", 415, "must be JSON"},
		{"empty body", http.MethodPost, "application/json", "", 400, "the body is empty"},
		{"not JSON", http.MethodPost, "application/json", "hello", 400, "not a message"},
		{"wrong type", http.MethodPost, "application/json", `{"conversation": 1, "user": "u", "text": "x"}`, 400, "not a message"},
		{"unknown field", http.MethodPost, "application/json", `{"conversation": "c", "user": "u", "text": "x", "token": "t"}`, 400, `unknown field "token"`},
		{"two values", http.MethodPost, "application/json", `{"conversation": "c", "user": "u", "text": "x"} {}`, 400, "more than one JSON value"},
		{"no user", http.MethodPost, "application/json", `{"conversation": "c", "text": "x"}`, 400, "user: is required"},
		{"no conversation", http.MethodPost, "", `{"user": "u", "text": "x"}`, 400, "conversation: is required"},
		{"control character in id", http.MethodPost, "application/json", `{"conversation": "c\n", "user": "u", "text": "x"}`, 400, "printable"},
		{"long id", http.MethodPost, "application/json", `{"conversation": "` + strings.Repeat("c", maxIDBytes+1) + `", "user": "u", "text": "x"}`, 400, "more than 256"},
		{"long text", http.MethodPost, "application/json", `{"conversation": "c", "user": "u", "text": "` + long + `"}`, 400, "more than 4000"},
		{"huge body", http.MethodPost, "application/json", `{"conversation": "c", "user": "u", "text": "` + strings.Repeat("x", maxRequestBytes) + `"}`, 413, "larger than"},
		{"ok", http.MethodPost, "application/json; charset=utf-8", `{"conversation": "c", "user": "u", "text": "/help"}`, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, h.botURL+messagesPath, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("the answer is not JSON: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d %v, want %d", resp.StatusCode, body, tc.status)
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Fatalf("Content-Type %q", got)
			}
			if tc.errContains != "" {
				if msg, _ := body["error"].(string); !strings.Contains(msg, tc.errContains) {
					t.Fatalf("error %q, want it to contain %q", msg, tc.errContains)
				}
			} else if body["kind"] != KindInfo {
				t.Fatalf("reply %v", body)
			}
		})
	}
}

func TestMessagesEndpointAPIKey(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const key = "0123456789abcdef-key"
	srv := httptest.NewServer(MessagesHandler(h.current.bot, key, nil))
	defer srv.Close()
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"no key", "", 401},
		{"wrong key", "Bearer 0123456789abcdef-kez", 401},
		{"not bearer", "Basic " + key, 401},
		{"right key", "Bearer " + key, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"conversation":"c","user":"u","text":"/help"}`))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
}

func TestMessagesEndpointHidesStoreFailures(t *testing.T) {
	h := newHarness(t, harnessOptions{sessions: failingSessions{}})
	_, status, body := h.post(Message{Conversation: "c", User: "u", Text: "create-todo-list"})
	if status != http.StatusInternalServerError || strings.Contains(body, "disk on fire") {
		t.Fatalf("%d %s: want a 500 that does not show the store's error", status, body)
	}
	if !strings.Contains(h.log.String(), "disk on fire") {
		t.Fatal("the store's error was not logged for the operator")
	}
}
