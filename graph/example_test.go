package graph_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/graph"
)

// fakeGraph stands in for https://graph.microsoft.com in the examples.
func fakeGraph() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("request-id", "8f2c-example")
		switch r.URL.Path {
		case "/v1.0/me":
			fmt.Fprint(w, `{"displayName":"Adele Vance","mail":"adele@contoso.com"}`)
		case "/v1.0/me/todo/lists":
			if r.URL.Query().Get("$skip") == "" {
				fmt.Fprintf(w, `{"value":[{"displayName":"Tasks"},{"displayName":"Groceries"}],"@odata.nextLink":"http://%s/v1.0/me/todo/lists?$skip=2"}`, r.Host)
				return
			}
			fmt.Fprint(w, `{"value":[{"displayName":"Holiday"}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}`)
		}
	}))
}

func ExampleNew() {
	client, err := graph.New(graph.Config{
		BaseURL: "https://graph.microsoft.com/v1.0",
		Auth:    auth.Static("an-access-token"),
		// Every other setting has a default: 4 attempts, 60 s of retry
		// waits, 30 s per attempt, 8 MiB bodies, 4 requests per mailbox.
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	fmt.Println(client.AllowedHost("graph.microsoft.com"), client.AllowedHost("evil.example"))
	// Output:
	// https://graph.microsoft.com/v1.0
	// true false
}

func ExampleClient_Do() {
	srv := fakeGraph()
	defer srv.Close()
	client, err := graph.New(graph.Config{BaseURL: srv.URL + "/v1.0", Auth: auth.Static("an-access-token")})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.Do(context.Background(), &graph.Request{Method: "GET", Path: "/me", Query: url.Values{"$select": {"displayName,mail"}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, string(resp.Body))

	// A Graph error answer is a *graph.Error that flows can branch on.
	_, err = client.Do(context.Background(), &graph.Request{Path: "/me/events/" + graph.PathSegment("no/such id")})
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		fmt.Println(gerr.Status, gerr.Code)
	}
	// Output:
	// 200 {"displayName":"Adele Vance","mail":"adele@contoso.com"}
	// 404 ErrorItemNotFound
}

func ExampleClient_Pages() {
	srv := fakeGraph()
	defer srv.Close()
	client, err := graph.New(graph.Config{BaseURL: srv.URL + "/v1.0", Auth: auth.Static("an-access-token")})
	if err != nil {
		log.Fatal(err)
	}
	res, err := client.Pages(context.Background(), &graph.Request{Path: "/me/todo/lists"}, graph.PageOptions{MaxItems: 100})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Count, "items in", res.Pages, "pages, truncated:", res.Truncated)
	fmt.Println(string(res.Items))
	// Output:
	// 3 items in 2 pages, truncated: false
	// [{"displayName":"Tasks"},{"displayName":"Groceries"},{"displayName":"Holiday"}]
}

func ExamplePathSegment() {
	fmt.Println("/me/todo/lists/" + graph.PathSegment("AAMk/x?y#z") + "/tasks")
	fmt.Println("/me/events/" + graph.PathSegment(".."))
	// Output:
	// /me/todo/lists/AAMk%2Fx%3Fy%23z/tasks
	// /me/events/%2E%2E
}

func ExampleODataString() {
	fmt.Println("displayName eq " + graph.ODataString("O'Brien's list"))
	// Output: displayName eq 'O''Brien''s list'
}

func ExampleForUser() {
	fmt.Println(graph.ForUser("/me/events", "me"))
	fmt.Println(graph.ForUser("/me/events", "adele@contoso.com"))
	// Output:
	// /me/events
	// /users/adele@contoso.com/events
}
