//go:build unix

package redmine

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The harness gives a Redmine whose REST API answers the admin's key and lists every user
// with status= (the facts the example mapping relies on).
func TestStart(t *testing.T) {
	in := Start(t)
	req, _ := http.NewRequest(http.MethodGet, in.URL+"/users.json?status=", nil)
	req.Header.Set("X-Redmine-API-Key", in.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"login":"admin"`) || !strings.Contains(string(b), `"total_count"`) {
		t.Fatalf("GET /users.json?status=: %d %s", resp.StatusCode, b)
	}
}
