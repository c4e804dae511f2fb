// Command plainget is the baseline of the start-up benchmark in
// cmd/runflow/bench: what a Go developer writes without runflow to do the
// one request of the benchmark's template (GET /me, two fields read with
// gjson), as a whole process. It is not a tool; see BENCHMARKS.md.
//
// Usage: plainget SERVICE-ROOT (the token is read from RUNFLOW_TOKEN, as
// runflow reads it).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/tidwall/gjson"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: plainget SERVICE-ROOT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Getenv("RUNFLOW_TOKEN")); err != nil {
		fmt.Fprintln(os.Stderr, "plainget:", err)
		os.Exit(1)
	}
}

func run(root, token string) error {
	req, err := http.NewRequest(http.MethodGet, root+"/me?%24select=displayName%2Cmail", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /me: %s", resp.Status)
	}
	fields := gjson.GetManyBytes(body, "displayName", "mail")
	out, err := json.Marshal(map[string]string{"name": fields[0].String(), "mail": fields[1].String()})
	if err != nil {
		return err
	}
	_, err = fmt.Printf("%s\n", out)
	return err
}
