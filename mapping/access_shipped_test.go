package mapping_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

// TestPlainAccessShippedMappings compiles every shipped mapping file (mapping/defaults and
// deploy/examples) against its client's operations and reads each of its plain access paths
// (access.go) both ways, directly and on expr's VM, over made-up environments: the compile-time
// samples, the same filled in, with nil records, and with maps missing keys. Wherever the
// direct read answers, it must answer what the VM does.
func TestPlainAccessShippedMappings(t *testing.T) {
	unreachable := soapclient.Config{Endpoint: "http://127.0.0.1:1/"}
	generated := func(name string) mapping.Catalog {
		c, err := soapclient.New(name, unreachable)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return catalog{c}
	}
	runtime := func(wsdl string) func(*mapping.Spec) mapping.Catalog {
		return func(spec *mapping.Spec) mapping.Catalog {
			c, _, err := wsdlrt.New(context.Background(), wsdlrt.Options{WSDL: wsdl, Name: spec.Client.Value}, unreachable)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return catalog{c}
		}
	}
	rest := func(openapi string) func(*mapping.Spec) mapping.Catalog {
		return func(spec *mapping.Spec) mapping.Catalog {
			d, err := config.RESTDefinition(spec, openapi)
			if err != nil {
				t.Fatal(err)
			}
			return config.RESTCatalog(d)
		}
	}
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files := []struct {
		name string
		src  []byte
		cat  func(*mapping.Spec) mapping.Catalog
	}{
		{"builtin:legacyhr", defaults.LegacyHR, func(*mapping.Spec) mapping.Catalog { return generated("legacyhr") }},
		{"builtin:wso2", defaults.WSO2, func(*mapping.Spec) mapping.Catalog { return generated("wso2userstore") }},
		{"legacyhr.mapping.yaml", read("../deploy/examples/legacyhr.mapping.yaml"), func(*mapping.Spec) mapping.Catalog { return generated("legacyhr") }},
		{"legacyhr.mapping.yaml (runtime WSDL)", read("../deploy/examples/legacyhr.mapping.yaml"), runtime("../wsdl/legacyhr.wsdl")},
		{"wso2.mapping.yaml", read("../deploy/examples/wso2.mapping.yaml"), func(*mapping.Spec) mapping.Catalog { return generated("wso2userstore") }},
		{"asmx.mapping.yaml", read("../deploy/examples/asmx.mapping.yaml"), runtime("../wsdl/asmx-directory.wsdl")},
		{"jira.mapping.yaml", read("../deploy/examples/jira.mapping.yaml"), runtime("../wsdl/corpus/jira-soap-v2/jirasoapservice-v2.wsdl")},
		{"legacyhr-rpc.mapping.yaml", read("../deploy/examples/legacyhr-rpc.mapping.yaml"), runtime("../wsdl/legacyhr-rpc.wsdl")},
		{"restsim.mapping.yaml", read("../deploy/examples/restsim.mapping.yaml"), rest("../internal/restsim/openapi.yaml")},
		{"redmine.mapping.yaml", read("../deploy/examples/redmine.mapping.yaml"), rest("")},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			spec, err := mapping.Parse(f.name, f.src)
			if err != nil {
				t.Fatal(err)
			}
			paths, all, err := mapping.PlainPaths(spec, f.cat(spec))
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) == 0 {
				t.Fatalf("none of %d expressions is a plain access path", all)
			}
			answered := 0
			for _, p := range paths {
				for i, env := range environments(p) {
					got, ok := p.Direct(env)
					want, err := p.VM(env)
					if !ok {
						continue // the VM runs instead
					}
					answered++
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Errorf("%q (environment %d): direct %#v, the VM %#v (error %v)", p.Src, i, got, want, err)
					}
				}
			}
			t.Logf("%d expressions, %d plain access paths, %d reads compared", all, len(paths), answered)
			if answered < len(paths) {
				t.Errorf("only %d direct reads for %d plain paths", answered, len(paths))
			}
		})
	}
}

// environments are variants of a compile-time environment: as compiled (zero records), filled
// in, with nil records, and with maps that carry the path's keys or miss them.
func environments(p mapping.PlainPath) []map[string]any {
	keys := strings.FieldsFunc(p.Src, func(r rune) bool { return strings.ContainsRune(`.[]"`, r) })
	variant := func(f func(v any) any) map[string]any {
		out := make(map[string]any, len(p.Env))
		for k, v := range p.Env {
			out[k] = f(v)
		}
		return out
	}
	return []map[string]any{
		p.Env,
		variant(func(v any) any { return fill(reflect.ValueOf(v), keys, 0) }),
		variant(func(v any) any {
			if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
				return reflect.Zero(rv.Type()).Interface()
			}
			return nil
		}),
		variant(func(v any) any {
			if _, ok := v.(map[string]any); ok {
				return map[string]any{keys[len(keys)-1]: "only the last key"}
			}
			return v
		}),
		{},
	}
}

// fill returns a copy of v with every exported field set, pointers allocated, one element in
// each slice, and maps holding keys (nested, so that a path of keys reads a value).
func fill(v reflect.Value, keys []string, depth int) any {
	if !v.IsValid() {
		return nil
	}
	out := reflect.New(v.Type()).Elem()
	set(out, keys, depth)
	return out.Interface()
}

func set(v reflect.Value, keys []string, depth int) {
	if depth > 4 || !v.CanSet() {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", depth))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(7 + depth))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		set(e.Elem(), keys, depth+1)
		v.Set(e)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				set(v.Field(i), keys, depth+1)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		set(s.Index(0), keys, depth+1)
		v.Set(s)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		m := reflect.MakeMap(v.Type())
		elem := v.Type().Elem()
		for i, k := range keys {
			var val reflect.Value
			if elem.Kind() == reflect.Interface && i+1 < len(keys) {
				val = reflect.ValueOf(nestedMap(keys[i+1:]))
			} else {
				val = reflect.New(elem).Elem()
				set(val, nil, depth+1)
			}
			if val.IsValid() && val.Type().AssignableTo(elem) {
				m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), val)
			}
		}
		v.Set(m)
	case reflect.Interface:
		if len(keys) > 0 {
			v.Set(reflect.ValueOf(nestedMap(keys)))
		}
	}
}

// nestedMap is {k0: {k1: … "leaf"}}.
func nestedMap(keys []string) map[string]any {
	if len(keys) == 1 {
		return map[string]any{keys[0]: "leaf"}
	}
	return map[string]any{keys[0]: nestedMap(keys[1:])}
}
