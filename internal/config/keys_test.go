package config

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// schemaKeys lists every key path of the schema (`backend.resilience.breaker.failureRatio`),
// maps and lists shown as their own key.
func schemaKeys(t reflect.Type, prefix string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == durationType {
		return
	}
	keys := keysOf(t)
	for k, idx := range keys {
		path := join(prefix, k)
		*out = append(*out, path)
		f := t.FieldByIndex(idx)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			schemaKeys(ft, path, out)
		}
	}
}

// TestConfigurationDocListsEveryKey keeps docs/configuration.md complete: every key of the
// schema appears in it as `key.path` (in backquotes), and every key it documents exists.
func TestConfigurationDocListsEveryKey(t *testing.T) {
	raw, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	var keys []string
	schemaKeys(reflect.TypeOf(Config{}), "", &keys)
	sort.Strings(keys)
	known := map[string]bool{}
	for _, k := range keys {
		known[k] = true
		if !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("docs/configuration.md does not document `%s`", k)
		}
	}
	// The reference table's first column names keys; each must exist.
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Za-z0-9.]+)`").FindAllStringSubmatch(doc, -1) {
		if !known[m[1]] {
			t.Errorf("docs/configuration.md documents `%s`, which is not a key", m[1])
		}
	}
}
