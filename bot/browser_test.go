package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/runflow/runflow/internal/testservices"
	"github.com/runflow/runflow/templates"
)

// TestChatPageInBrowser drives the chat page in headless Chromium at a
// phone's width: start create-todo-list with a click, answer by typing,
// then start create-task with the keyboard only, pick a list (a choice
// button), skip an optional question and pick the importance, and see
// each result. The browser runs in Tokyo's zone, which the page sends
// with each start.
func TestChatPageInBrowser(t *testing.T) {
	path := testservices.Chromium(t)
	w := newWorld(t, NewMemoryStore())
	s, _ := w.replica()
	// The zone each flow start carries, as the server received it.
	var (
		mu    sync.Mutex
		zones []string
	)
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/flows") {
			body, _ := io.ReadAll(r.Body)
			var req FlowRequest
			_ = json.Unmarshal(body, &req)
			mu.Lock()
			zones = append(zones, req.Zone)
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		s.Handler().ServeHTTP(rw, r)
	}))
	defer ts.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(390, 844), // a phone
		chromedp.Env("TZ=Asia/Tokyo"),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	last := func(xpath string) string { return "(" + xpath + ")[last()]" }
	err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-value="create-todo-list"]`)),
		chromedp.Click(chromedp.CSS(`button[data-value="create-todo-list"]`)),
		chromedp.WaitVisible(`//div[@data-status="question"][contains(., "What should the list be called?")]`),
		chromedp.SendKeys(chromedp.ID("text"), "Browser list"+kb.Enter),
		chromedp.WaitVisible(`//div[@data-status="done"][contains(., "Browser list")]`),
	)
	if err != nil {
		t.Fatalf("create-todo-list in the page: %v", err)
	}
	todoDone, err := chromedp.Run(ctx, chromedp.Text(`//div[@data-status="done"]`))
	if err != nil {
		t.Fatal(err)
	}
	// Keyboard only: the first flow button has the focus; Tab to
	// create-task (the buttons follow the built-in ids, sorted) and press
	// Enter.
	tabs := slices.Index(templates.IDs(), "create-task")
	if tabs < 0 {
		t.Fatal("no built-in create-task")
	}
	keys := []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(last(`//button[@data-value="create-task"]`))}
	for range tabs {
		keys = append(keys, chromedp.KeyEvent(kb.Tab))
	}
	keys = append(keys, chromedp.KeyEvent(kb.Enter))
	err = chromedp.Do(ctx, append(keys,
		chromedp.WaitVisible(`//div[@data-status="question"][contains(., "Which list")]`),
		chromedp.Click(last(`//button[text()="Browser list"]`)),
		chromedp.WaitVisible(`//div[@data-status="question"][contains(., "What is the task?")]`),
		chromedp.SendKeys(chromedp.ID("text"), "Buy milk"+kb.Enter),
		chromedp.WaitVisible(`//div[@data-status="question"][contains(., "When is it due?")]`),
		chromedp.Click(last(`//button[text()="Skip"]`)),
		chromedp.WaitVisible(`//div[@data-status="question"][contains(., "How important")]`),
		chromedp.Click(last(`//button[text()="high"]`)),
		chromedp.WaitVisible(`//div[@data-status="done"][contains(., "Buy milk")]`),
	)...)
	if err != nil {
		t.Fatalf("create-task in the page, keyboard and buttons: %v", err)
	}
	taskDone, err := chromedp.Run(ctx, chromedp.Text(last(`//div[@data-status="done"]`)))
	if err != nil {
		t.Fatal(err)
	}
	scrollWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	clientWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.clientWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(todoDone, "Browser list") {
		t.Errorf("create-todo-list result: %q", todoDone)
	}
	if !strings.Contains(taskDone, "Buy milk") {
		t.Errorf("create-task result: %q", taskDone)
	}
	if scrollWidth > clientWidth {
		t.Errorf("the page is %dpx wide in a %dpx window: it scrolls sideways on a phone", scrollWidth, clientWidth)
	}
	mu.Lock()
	if want := []string{"Asia/Tokyo", "Asia/Tokyo"}; !slices.Equal(zones, want) {
		t.Errorf("the page sent the zones %q with its two flow starts, want %q", zones, want)
	}
	mu.Unlock()
	if n := w.writes("POST", "/todo/lists"); n != 1 {
		t.Errorf("%d lists created, want 1", n)
	}
	if n := w.writes("POST", "/tasks"); n != 1 {
		t.Errorf("%d tasks created, want 1", n)
	}
}
